// Divert and the shaper inside the gateway, against the simulated station on
// a virtual clock: the requests python-openevse-http sends (/divertmode,
// /shaper as forms), POST /status readings, and the pilot that results.
import { describe, expect, it } from '../harness';
import { standalone } from '../gateway/standalone';
import { bodyJson } from '../gateway/fixtures';
import { ENERGY_FEATURES, STANDARD_FEATURES } from '../../../modules/gateway/features/standard';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function charging() {
  const g = standalone({ features: [...STANDARD_FEATURES, ...ENERGY_FEATURES] });
  await g.run(3000);
  g.station.ev.plug();
  await g.run(3000);
  return g;
}

describe('divert in the gateway', () => {
  it('POST /divertmode divertmode=2 (as python-openevse-http sends it) pauses the charger until the sun comes', async () => {
    const g = await charging();
    expect((await g.status()).state).toBe(3);
    const r = await g.http('POST', '/divertmode', { headers: FORM, body: 'divertmode=2' });
    expect(r.status).toBe(200);
    expect(String(r.body)).toMatch(/divert.*changed/i);
    await g.run(500);
    let s = await g.status();
    expect(s.divertmode).toBe(2);
    expect(s.state).toBe(254); // sleeping: no surplus yet
    // 12 A of sun for a minute, posted every 5 s.
    for (let i = 0; i < 13; i++) {
      await g.post('/status', { solar: 12 * 240 });
      await g.run(5000);
    }
    s = await g.status();
    expect(s.divert_active).toBe(true);
    expect(s.state).toBe(3);
    expect(s.pilot).toBe(12);
    expect(s.charge_rate).toBe(12);
    expect(s.smoothed_available_current).toBeGreaterThan(6.5);
    const claims = bodyJson(await g.http('GET', '/claims'));
    expect(claims.some((c: { client: number; priority: number }) => c.client === 0x00010002 && c.priority === 50)).toBe(true);
  });

  it('stale solar readings stop divert charging after divert_data_maxinterval (120 s)', async () => {
    const g = await charging();
    await g.http('POST', '/divertmode', { headers: FORM, body: 'divertmode=2' });
    for (let i = 0; i < 13; i++) {
      await g.post('/status', { solar: 3000 });
      await g.run(5000);
    }
    expect((await g.status()).state).toBe(3);
    await g.run(60000); // last reading 65 s ago
    expect((await g.status()).state).toBe(3);
    await g.run(60000); // 125 s
    const s = await g.status();
    expect(s.divert_stale).toBe(true);
    expect(s.state).toBe(254);
  });

  it('MQTT-free switches: /divertmode?divertmode=1 releases the claim; bad values are refused', async () => {
    const g = await charging();
    await g.http('POST', '/divertmode', { query: { divertmode: '2' } });
    await g.run(500);
    expect((await g.status()).state).toBe(254);
    await g.http('GET', '/divertmode', { query: { divertmode: '1' } });
    await g.run(3000);
    expect((await g.status()).state).toBe(3);
    expect((await g.http('POST', '/divertmode', { headers: FORM, body: 'divertmode=3' })).status).toBe(400);
  });

  it('config: divert defaults are OpenEVSE\'s; divert_enabled true starts in eco mode', async () => {
    const g = await charging();
    const c = bodyJson(await g.http('GET', '/config'));
    expect([c.divert_enabled, c.divert_type, c.divert_PV_ratio, c.divert_attack_smoothing_time, c.divert_decay_smoothing_time, c.divert_min_charge_time]).toEqual([false, -1, 1.1, 20, 600, 600]);
    expect([c.current_shaper_enabled, c.current_shaper_max_pwr, c.current_shaper_smoothing_time, c.current_shaper_min_pause_time, c.current_shaper_data_maxinterval]).toEqual([false, 0, 60, 300, 120]);
    expect((await g.post('/config', { divert_enabled: true })).status).toBe(200);
    await g.run(500);
    const s = await g.status();
    expect(s.divertmode).toBe(2);
    expect(bodyJson(await g.http('GET', '/config')).charge_mode).toBe('eco');
  });
});

describe('current shaper in the gateway', () => {
  it('POST /shaper shaper=1 with a 5 kW limit caps the pilot from the live power, and pauses when the house takes it all', async () => {
    const g = await charging();
    await g.post('/config', { current_shaper_max_pwr: 5000 });
    const r = await g.http('POST', '/shaper', { headers: FORM, body: 'shaper=1' });
    expect(String(r.body)).toBe('Current Shaper state changed');
    // The EV draws 32 A (7680 W at 240 V); the house meter sees that plus 1 kW.
    const amps = (await g.status()).amp / 1000;
    await g.post('/status', { shaper_live_pwr: Math.round(1000 + amps * 240) });
    await g.run(3000);
    let s = await g.status();
    expect(s.shaper).toBe(1);
    // (5000 − 1000 − I·240) / 240 + I = 16.67 A
    expect(s.shaper_cur).toBeCloseTo(4000 / 240, 1);
    expect(s.pilot).toBe(16);
    await g.post('/status', { shaper_live_pwr: 4900 + 16 * 240 });
    await g.run(3000);
    s = await g.status();
    expect(s.state).toBe(254);
  });

  it('with no live power for 120 s the shaper pauses charging', async () => {
    const g = await charging();
    await g.post('/config', { current_shaper_max_pwr: 20000, current_shaper_enabled: true });
    await g.post('/status', { shaper_live_pwr: 2000 });
    await g.run(3000);
    expect((await g.status()).state).toBe(3);
    await g.run(120000);
    const s = await g.status();
    expect(s.shaper_updated).toBe(false);
    expect(s.state).toBe(254);
  });
});
