// Session limits as OpenEVSE's limit.cpp enforces them: checked while
// charging, a "disabled" claim at priority 1100 when reached, gone with the
// session, on the simulated station and a virtual clock.
import { describe, it, expect } from '../harness';
import { parseLimit, LIMIT_CLIENT } from '../../../modules/gateway/features/limit';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

async function charging(g: ReturnType<typeof standalone>) {
  await g.run(2000);
  g.station.ev.maxCurrent = 32;
  g.station.ev.plug();
  g.station.ev.requestCharge(true);
  await g.clock.advanceUntil(() => g.station.controller.state === 3, 10000);
  await g.run(100);
}

describe('session limits', () => {
  it('reads a limit as clients post it, and refuses what OpenEVSE refuses', () => {
    expect(parseLimit({ type: 'energy', value: 5000 })).toEqual({ type: 'energy', value: 5000, auto_release: true });
    expect(parseLimit({ type: 'time', value: 30, auto_release: false })).toEqual({ type: 'time', value: 30, auto_release: false });
    expect(parseLimit({ type: 'energy', value: 0 })).toBeUndefined();
    expect(parseLimit({ type: 'distance', value: 5 })).toBeUndefined();
    expect(parseLimit({ value: 5 })).toBeUndefined();
    expect(parseLimit('x')).toBeUndefined();
  });

  it('GET {} without one; POST → 201 done; GET shows it; DELETE done, then "no limit"', async () => {
    const g = standalone();
    await g.run(1000);
    expect(bodyJson(await g.http('GET', '/limit'))).toEqual({});
    const v = (await g.status()).limit_version;
    const r = await g.post('/limit', { type: 'time', value: 90 });
    expect(r.status).toBe(201);
    expect(bodyJson(r)).toEqual({ msg: 'done' });
    expect(bodyJson(await g.http('GET', '/limit'))).toEqual({ type: 'time', value: 90, auto_release: true });
    const s = await g.status();
    expect([s.limit, s.limit_version]).toEqual([true, v + 1]);
    expect((await g.post('/limit', { type: 'time' })).status).toBe(400);
    expect(bodyJson(await g.http('DELETE', '/limit'))).toEqual({ msg: 'done' });
    expect(bodyJson(await g.http('DELETE', '/limit'))).toEqual({ msg: 'no limit' });
    expect((await g.status()).limit).toBe(false);
  });

  it('a time limit stops the charge once the session has run that many minutes, with a claim at 1100', async () => {
    const g = standalone();
    await charging(g);
    await g.post('/limit', { type: 'time', value: 2 });
    await g.run(100_000);
    expect(g.station.controller.state).toBe(3); // 1 min 40 s: still charging
    await g.run(25_000);
    expect(g.gateway.claims.get(LIMIT_CLIENT)?.priority).toBe(1100);
    await g.run(1000);
    expect(g.station.controller.state).toBe(254); // sleeping: the limit holds it
    // a user's override (1000) cannot restart it
    await g.post('/override', { state: 'active' });
    await g.run(1000);
    expect(g.station.controller.state).toBe(254);
    // unplugging ends the session: the claim and (auto_release) the limit go
    g.station.ev.unplug();
    await g.run(3000);
    expect(g.gateway.claims.has(LIMIT_CLIENT)).toBe(false);
    expect(bodyJson(await g.http('GET', '/limit'))).toEqual({});
  });

  it('an energy limit counts the session Wh; a soc limit reads the posted battery_level', async () => {
    const g = standalone();
    await charging(g);
    await g.post('/limit', { type: 'soc', value: 80, auto_release: false });
    await g.post('/config', { vehicle_data_src: 3 });
    await g.post('/status', { battery_level: 79 });
    await g.run(2000);
    expect(g.gateway.claims.has(LIMIT_CLIENT)).toBe(false);
    await g.post('/status', { battery_level: 80 });
    await g.run(1500);
    expect(g.gateway.claims.has(LIMIT_CLIENT)).toBe(true);
    g.station.ev.unplug();
    await g.run(3000);
    // auto_release false: the limit stays for the next session
    expect(bodyJson(await g.http('GET', '/limit')).type).toBe('soc');
  });
});
