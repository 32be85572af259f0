// The gateway against the real controller (SimStation) over the in-process
// RAPI link, on a virtual clock: the same bytes a UART would carry.
import { describe, it, expect } from '../harness';
import { Gateway } from '../../../modules/gateway/gateway';
import { LinkEnd } from '../../../modules/rapi/link';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, bodyJson, request, run, settle } from './fixtures';

function standalone(options: { silent?: boolean } = {}) {
  const clock = new VirtualClock();
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  if (!options.silent) ctl.onReceive((b) => station.receive(b));
  const frames: string[] = [];
  const gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' } });
  gw.onReceive((b) => gateway.receive(b));
  const http = (method: string, path: string, opts: Parameters<typeof request>[2] = {}) => settle(clock, gateway.http(request(method, path, opts)));
  const status = async () => bodyJson(await http('GET', '/status'));
  station.start();
  gateway.start();
  return { clock, station, gateway, http, status, frames };
}

describe('gateway with the simulated station', () => {
  it('probes the controller, reads its settings and reports it connected', async () => {
    const { clock, gateway, status } = standalone();
    await run(clock, 3000);
    const s = await status();
    expect(s.rapi_connected).toBe(1);
    expect(s.state).toBe(1); // A: no EV
    expect(s.status).toBe('active');
    expect(s.vehicle).toBe(0);
    expect(gateway.monitor.snapshot.firmware).not.toBe('');
    expect(s.comm_success).toBeGreaterThan(5);
  });

  it('sets heartbeat supervision to 5 s / 6 A in the controller', async () => {
    const { clock, station } = standalone();
    await run(clock, 3000);
    expect(station.controller.heartbeat.interval).toBe(5);
    expect(station.controller.heartbeat.fallback).toBe(6);
    // pulses keep it from tripping over a long stretch
    await run(clock, 20000);
    expect(station.controller.heartbeat.trigger).toBe(0);
  });

  it('sees a charge start at once through $AT and reports amps in mA and pilot in A', async () => {
    const { clock, station, status } = standalone();
    await run(clock, 3000);
    station.ev.maxCurrent = 16;
    station.ev.plug();
    station.ev.requestCharge(true);
    await clock.advanceUntil(() => station.controller.state === 3, 10000);
    await run(clock, 50); // one link hop for the $AT
    let s = await status();
    expect(s.state).toBe(3);
    expect(s.vehicle).toBe(1);
    await run(clock, 3000); // $GG polls every second while charging
    s = await status();
    expect(s.pilot).toBe(station.controller.pilotAmps);
    // the EV draws 16 A; the CT reading is within 2 %
    expect(s.amp).toBeGreaterThan(15700);
    expect(s.amp).toBeLessThan(16300);
    // power W = A × V
    expect(Math.abs(s.power - (s.amp / 1000) * s.voltage)).toBeLessThanOrEqual(1);
    await run(clock, 12000);
    s = await status();
    // session time and energy follow within one poll period (5 s / 10 s)
    expect(s.elapsed).toBeGreaterThanOrEqual(8);
    // ≈ 16 A × 240 V = 3840 W for at least 8 s → ≥ 8.5 Wh
    expect(s.session_energy).toBeGreaterThan(8.5);
    expect(s.wattsec).toBeGreaterThan(8.5 * 3600);
  });

  it('reads the trip counters at once when a fault $AT arrives, not at the next 30 s poll', async () => {
    const { clock, station, status } = standalone();
    await run(clock, 3000);
    station.ev.plug();
    station.ev.requestCharge(true);
    await clock.advanceUntil(() => station.controller.state === 3, 10000);
    await run(clock, 30000 - (clock.now() % 30000) + 16000); // just past the $GF slot of the cycle
    expect((await status()).gfcicount).toBe(0);
    station.gfciLeak(30); // 30 mA: a CCID20 trips
    await clock.advanceUntil(() => station.controller.state === 6, 2000);
    await run(clock, 200); // the $AT hop and one $GF exchange; the next $GF slot is ~29 s away
    const s = await status();
    expect(s.state).toBe(6);
    expect(s.gfcicount).toBe(1);
  });

  it('answers /r?json=1 with the controller reply, and evcc\'s $G7 with $NK', async () => {
    const { clock, http } = standalone();
    await run(clock, 3000);
    const gv = bodyJson(await http('GET', '/r', { query: { json: '1', rapi: '$GV' } }));
    expect(gv.cmd).toBe('$GV');
    expect(gv.ret).toMatch(/^\$OK \S+ \S+\^[0-9A-F]{2}$/);
    const g7 = bodyJson(await http('GET', '/r', { query: { json: '1', rapi: '$G7' } }));
    expect(g7.ret).toMatch(/^\$NK/);
  });

  it('a manual override (POST /override) pauses the controller and sets its pilot; DELETE gives both back', async () => {
    const { clock, station, http, status } = standalone();
    await run(clock, 3000);
    const soft = station.controller.pilotAmps;
    const res = await http('POST', '/override', { body: '{"state":"disabled","charge_current":10}' });
    expect(res.status).toBe(201);
    expect(bodyJson(res)).toEqual({ msg: 'Created' });
    await run(clock, 100);
    expect(station.controller.state).toBe(254); // sleeping ($FS)
    expect(station.controller.pilotAmps).toBe(10); // $SC 10 V
    let s = await status();
    expect(s.status).toBe('disabled');
    expect(s.manual_override).toBe(1);
    expect(bodyJson(await http('DELETE', '/override'))).toEqual({ msg: 'Deleted' });
    await run(clock, 100);
    expect(station.controller.state).toBe(1);
    expect(station.controller.pilotAmps).toBe(soft);
    s = await status();
    expect(s.status).toBe('active');
    expect(s.manual_override).toBe(0);
  });

  it('writes max_current_soft from POST /config to the controller with $SC', async () => {
    const { clock, station, http } = standalone();
    await run(clock, 3000);
    const res = await http('POST', '/config', { body: '{"max_current_soft":16}' });
    expect(res.status).toBe(200);
    expect(bodyJson(res).msg).toBe('done');
    const cfg = bodyJson(await http('GET', '/config'));
    expect(cfg.max_current_soft).toBe(16);
    expect(station.controller.pilotAmps).toBe(16);
  });

  it('turns a controller check off and on through /config ($FF) and reports it', async () => {
    const { clock, http } = standalone();
    await run(clock, 3000);
    expect((await http('POST', '/config', { body: '{"diode_check":false}' })).status).toBe(200);
    let cfg = bodyJson(await http('GET', '/config'));
    expect([cfg.diode_check, cfg.diodet]).toEqual([false, 1]);
    expect((await http('POST', '/config', { body: '{"diode_check":true}' })).status).toBe(200);
    cfg = bodyJson(await http('GET', '/config'));
    expect([cfg.diode_check, cfg.diodet]).toEqual([true, 0]);
  });

  it('does not flood the link: at most 3 frames a second on average while idle', async () => {
    const { clock, gateway } = standalone();
    await run(clock, 3000);
    const before = gateway.client.sent;
    await run(clock, 60000);
    const rate = (gateway.client.sent - before) / 60;
    expect(rate).toBeLessThanOrEqual(3);
    expect(rate).toBeGreaterThanOrEqual(1); // the heartbeat pulse every second
  });

  it('answers people first: a /r command during polling takes well under one timeout', async () => {
    const { clock, station, gateway } = standalone();
    await run(clock, 3000);
    station.ev.plug();
    station.ev.requestCharge(true);
    await run(clock, 5000);
    for (let i = 0; i < 20; i++) {
      await run(clock, 137); // land at different points of the poll cycle
      const start = clock.now();
      const r = await settle(clock, gateway.rapi('$GE'));
      expect('ret' in r).toBe(true);
      expect(clock.now() - start).toBeLessThan(100);
    }
  });

  it('re-reads settings and re-arms the heartbeat after the controller reboots ($FR → $AB)', async () => {
    const { clock, station, http, gateway } = standalone();
    await run(clock, 3000);
    const r = bodyJson(await http('POST', '/restart', { body: '{"device":"evse"}' }));
    expect(r.success).toBe(true);
    await run(clock, 15000);
    expect(gateway.evse.text()).toMatch(/<\$AB /);
    expect(station.controller.heartbeat.interval).toBe(5);
    expect((await bodyJson(await http('GET', '/status'))).rapi_connected).toBe(1);
  });

  it('with a silent controller: RAPI_RESPONSE_TIMEOUT after 500 ms and rapi_connected 0', async () => {
    const { clock, http } = standalone({ silent: true });
    await run(clock, 3000);
    const start = clock.now();
    const res = await http('GET', '/r', { query: { json: '1', rapi: '$GS' } });
    expect(bodyJson(res)).toEqual({ cmd: '$GS', error: 'RAPI_RESPONSE_TIMEOUT' });
    // it may queue behind one probe (≤ 500 ms) and the guard time after that probe's timeout (250 ms)
    expect(clock.now() - start).toBeLessThanOrEqual(1250);
    const s = bodyJson(await http('GET', '/status'));
    expect(s.rapi_connected).toBe(0);
    expect(s.comm_success).toBe(0);
  });
});
