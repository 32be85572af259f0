// The energy history on the device's storage: the Preference-backed Storage
// (hosts/moddable/storage.ts) over the model of the ESP32's NVS (sim/nvs.ts),
// with a full history stored (31 days, 8 weeks, 12 months, 5 years: more than
// one NVS entry holds). The counters are saved apart from it, one NVS write a
// save; a power cut at any write while a day rolls over neither loses the
// finished day nor counts it twice.
import { describe, it, expect } from '../harness';
import { PreferenceStorage } from '../../../hosts/moddable/storage';
import { PowerLoss, SimNvs } from '../../../sim/nvs';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

const DAY = '2026-06-10';

/** Counts the NVS writes (sets and deletes) of the energy keys; the crash log's beats are its own. */
class CountingNvs extends SimNvs {
  energyWrites = 0;
  override set(domain: string, key: string, value: string): void {
    super.set(domain, key, value);
    if (key.startsWith('energy')) this.energyWrites++;
  }
  override delete(domain: string, key: string): void {
    const there = this.get(domain, key) !== undefined;
    super.delete(domain, key);
    if (there && key.startsWith('energy')) this.energyWrites++;
  }
}

function seeded(nvs: SimNvs, counters: { day: number; week: number; month: number; year: number }): PreferenceStorage {
  const storage = new PreferenceStorage({ preference: nvs, domain: 'evse' });
  const days: [string, number][] = [];
  for (let i = 1; i <= 31; i++) days.push([`2026-05-${String(i).padStart(2, '0')}`, 10 + i / 1000]);
  const weeks: [string, number][] = [];
  for (let i = 0; i < 8; i++) weeks.push([`2026-04-${String(i * 3 + 1).padStart(2, '0')}`, 70 + i / 1000]);
  const months: [string, number][] = [];
  for (let i = 1; i <= 12; i++) months.push([`2025-${String(i).padStart(2, '0')}`, 300 + i / 1000]);
  const years: [string, number][] = [];
  for (let i = 0; i < 5; i++) years.push([String(2020 + i), 3600 + i / 1000]);
  storage.write('energy-hist', JSON.stringify({ v: 1, daily: days, weekly: weeks, monthly: months, annual: years }));
  const period = { day: DAY, week: '2026-06-07', month: '2026-06', year: '2026' };
  storage.write('energy', JSON.stringify({ v: 1, period, ...counters, switches: 4, daily: [], weekly: [], monthly: [], annual: [] }));
  return storage;
}

async function boot(storage: PreferenceStorage, wall: number) {
  const g = standalone({ storage });
  g.clock.setWall(wall);
  await g.post('/config', { time_zone: 'Etc/UTC|UTC0' });
  await g.run(1500);
  return g;
}

describe('energy history on the device storage (NVS model)', () => {
  it('the history is more than one NVS entry; each save of the counters is one NVS write, and a restart keeps them', async () => {
    const nvs = new CountingNvs();
    const storage = seeded(nvs, { day: 0, week: 0, month: 0, year: 0 });
    // The seeded history is chunked (a selector naming slot A or B), the counters inline.
    expect(nvs.get('evse', 'energy-hist')).toMatch(/^[AB]/);
    expect(nvs.get('evse', 'energy')).toMatch(/^=/);
    const g = await boot(storage, Date.UTC(2026, 5, 10, 12, 0, 0));
    g.station.ev.maxCurrent = 32;
    g.station.ev.plug();
    g.station.ev.requestCharge(true);
    await g.clock.advanceUntil(() => g.station.controller.state === 3, 10000);
    const before = nvs.energyWrites;
    await g.run(11 * 60_000); // two saves (5 and 10 minutes)
    const saves = nvs.energyWrites - before;
    expect(saves).toBe(2); // one NVS set a save: the history is not written again
    expect(nvs.get('evse', 'energy')).toMatch(/^=/);
    const total = (await g.status()).total_day;
    expect(total).toBeGreaterThan(0);
    g.station.ev.unplug();
    await g.run(3000);
    const again = await boot(storage, Date.UTC(2026, 5, 10, 13, 0, 0));
    expect((await again.status()).total_day).toBe(total);
    const daily = bodyJson(await again.http('GET', '/energy/daily'));
    expect(daily.length).toBe(32);
    expect(daily[0]).toEqual({ date: '2026-05-01', energy: 10.001 });
    expect(daily[31]).toEqual({ date: DAY, energy: total });
  });

  it('a power cut at any write while the day rolls over: after the restart the day is in the history once, with its count', async () => {
    let cuts = 0;
    for (let k = 0; ; k++) {
      const nvs = new SimNvs();
      const storage = seeded(nvs, { day: 3.25, week: 20.5, month: 60.125, year: 900 });
      const g = await boot(storage, Date.UTC(2026, 5, 10, 23, 59, 57));
      nvs.cutPowerAfter(k);
      let lost = false;
      try {
        await g.run(3000); // past midnight
      } catch (e) {
        if (!(e instanceof PowerLoss)) throw e;
        lost = true;
      }
      nvs.restore(); // the reboot: the cut-off gateway is left as it was, its clock stopped
      const after = await boot(new PreferenceStorage({ preference: nvs, domain: 'evse' }), Date.UTC(2026, 5, 11, 0, 1, 0));
      const daily = bodyJson(await after.http('GET', '/energy/daily')) as { date: string; energy: number }[];
      // `cut` names the case in a failure's message.
      expect({ cut: k, day: daily.filter((e) => e.date === DAY) }).toEqual({ cut: k, day: [{ date: DAY, energy: 3.25 }] });
      expect({ cut: k, entries: daily.length }).toEqual({ cut: k, entries: 32 }); // 31 kept (the oldest went), the new day open
      expect(daily[daily.length - 1]).toEqual({ date: '2026-06-11', energy: 0 });
      const s = await after.status();
      expect({ cut: k, totals: [s.total_day, s.total_week, s.total_month, s.total_year] }).toEqual({ cut: k, totals: [0, 20.5, 60.125, 900] });
      if (!lost) break;
      cuts++;
    }
    expect(cuts).toBeGreaterThanOrEqual(3); // the history's chunks, its selector, the counters
  });
});
