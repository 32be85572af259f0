// Energy history as OpenEVSE's energy_meter.cpp keeps it: day/week/month/year
// kWh in the local zone, switches, bounded flash writes, the /energy/* and
// /logs routes, on the simulated station and a virtual clock.
import { describe, it, expect } from '../harness';
import { periodOf } from '../../../modules/gateway/energy-history';
import { MemoryStorage, bodyJson } from './fixtures';
import { standalone } from './standalone';

/** Counts writes of one key. */
class CountingStorage extends MemoryStorage {
  energyWrites = 0;
  override write(key: string, value: string): void {
    if (key === 'energy') this.energyWrites++;
    super.write(key, value);
  }
}

describe('energy history', () => {
  it('periods: a Sunday-based week, in the local zone', () => {
    // Thursday 2026-01-01 23:30 UTC is Friday 00:30 an hour east
    expect(periodOf(Date.UTC(2026, 0, 1, 23, 30), 0)).toEqual({ day: '2026-01-01', week: '2025-12-28', month: '2026-01', year: '2026' });
    expect(periodOf(Date.UTC(2026, 0, 1, 23, 30), 60)).toEqual({ day: '2026-01-02', week: '2025-12-28', month: '2026-01', year: '2026' });
  });

  it('counts kWh while charging with at most one flash write per 5 minutes, and keeps them across a restart', async () => {
    const storage = new CountingStorage();
    const g = standalone({ storage });
    g.clock.setWall(Date.UTC(2026, 5, 10, 12, 0, 0));
    await g.post('/config', { time_zone: 'Etc/UTC|UTC0' });
    await g.run(2000);
    g.station.ev.maxCurrent = 32;
    g.station.ev.plug();
    g.station.ev.requestCharge(true);
    await g.clock.advanceUntil(() => g.station.controller.state === 3, 10000);
    await g.run(600_000); // ten minutes
    const s = await g.status();
    const expected = ((s.amp / 1000) * s.voltage * 600) / 3600 / 1000; // kWh at this current for 10 min
    expect(s.total_day).toBeGreaterThan(expected * 0.95);
    expect(s.total_day).toBeLessThan(expected * 1.05);
    expect([s.total_week, s.total_month, s.total_year]).toEqual([s.total_day, s.total_day, s.total_day]);
    expect(storage.energyWrites).toBeLessThanOrEqual(2);
    expect(storage.energyWrites).toBeGreaterThanOrEqual(1);
    g.station.ev.unplug();
    await g.run(3000);
    const saved = storage.energyWrites;
    expect(saved).toBeLessThanOrEqual(3); // the session end saved once more
    const again = standalone({ storage });
    again.clock.setWall(Date.UTC(2026, 5, 10, 13, 0, 0));
    await again.run(2000);
    expect((await again.status()).total_day).toBeGreaterThan(expected * 0.95);
  });

  it('at midnight the day goes into /energy/daily; switches count active↔disabled; /logs lists state changes', async () => {
    const g = standalone();
    g.clock.setWall(Date.UTC(2026, 5, 10, 23, 50, 0));
    await g.post('/config', { time_zone: 'Etc/UTC|UTC0' });
    await g.run(2000);
    g.station.ev.plug();
    g.station.ev.requestCharge(true);
    await g.clock.advanceUntil(() => g.station.controller.state === 3, 10000);
    await g.run(300_000);
    const before = (await g.status()).total_day;
    expect(before).toBeGreaterThan(0);
    await g.run(360_000); // past midnight
    const daily = bodyJson(await g.http('GET', '/energy/daily'));
    expect(daily[0].date).toBe('2026-06-10');
    expect(daily[0].energy).toBeGreaterThanOrEqual(before);
    expect(daily[daily.length - 1].date).toBe('2026-06-11');
    expect((await g.status()).total_day).toBeLessThan(daily[0].energy);
    expect(bodyJson(await g.http('GET', '/energy/monthly'))[0].month).toBe('2026-06');
    const sw = (await g.status()).total_switches;
    await g.post('/override', { state: 'disabled' });
    await g.run(1000);
    await g.http('DELETE', '/override');
    await g.run(1000);
    expect((await g.status()).total_switches).toBe(sw + 2);
    const logs = bodyJson(await g.http('GET', '/logs/1'));
    expect(logs.some((e: { state: number }) => e.state === 3)).toBe(true);
    expect(bodyJson(await g.http('GET', '/logs'))).toEqual({ min: 1, max: 1 });
  });

  it('/energy/<x> is one route: an unknown <x> is 404 to every method, a known one 405 to a method it does not take', async () => {
    const g = standalone();
    await g.run(2000);
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) expect([method, (await g.http(method, '/energy/nonsense')).status]).toEqual([method, 404]);
    for (const kind of ['raw', 'daily', 'weekly', 'monthly', 'annual']) {
      expect([kind, (await g.http('GET', `/energy/${kind}`)).status]).toEqual([kind, 200]);
      expect([kind, (await g.http('POST', `/energy/${kind}`)).status]).toEqual([kind, 405]);
    }
  });

  it('/logs/<n>: a block there is not is 404 to every method, block 1 is 405 to a method it does not take', async () => {
    const g = standalone();
    await g.run(2000);
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) expect([method, (await g.http(method, '/logs/2')).status]).toEqual([method, 404]);
    expect((await g.http('GET', '/logs/1')).status).toBe(200);
    expect((await g.http('POST', '/logs/1')).status).toBe(405);
  });
});
