// The simulation-control API drives the simulated EV and the fault injectors,
// and the controller reacts as it would to the real thing.
import { describe, it, expect } from '../harness';
import type { HttpRequest, HttpResponse } from '../../../modules/ports';
import { SimControlApi, withSimControl } from '../../../sim/control-api';
import { bootedStation } from '../j1772/station-fixture';

function request(method: string, path: string, body = '', query: Record<string, string> = {}): HttpRequest {
  return { method, path, query, headers: {}, body };
}

function booted() {
  const f = bootedStation();
  const api = new SimControlApi(f.station);
  const call = (method: string, path: string, body = '', query: Record<string, string> = {}) => {
    const r = api.handle(request(method, path, body, query));
    if (!r) throw new Error(`${path} not answered`);
    return { status: r.status, json: JSON.parse(r.body as string) as Record<string, any> };
  };
  const state = () => f.station.controller.state;
  return { ...f, api, call, state };
}

describe('simulation control API', () => {
  it('answers only /sim paths, so everything else reaches the charger', () => {
    const { api } = booted();
    expect(api.handle(request('GET', '/status'))).toBeUndefined();
    expect(api.handle(request('GET', '/'))).toBeUndefined();
    expect(api.handle(request('GET', '/simulator'))).toBeUndefined();
    expect(api.handle(request('GET', '/sim/status'))).toBeDefined();
  });

  it('reports an unplugged EV and a healthy station at start', () => {
    const { call } = booted();
    const r = call('GET', '/sim/status');
    expect(r.status).toBe(200);
    expect(r.json.simulated).toBe(true);
    expect(r.json.ev.plugged).toBe(false);
    expect(r.json.relay).toBe(false);
    expect(r.json.draw).toBe(0);
    for (const name of Object.keys(r.json.faults)) expect(r.json.faults[name].active).toBe(false);
    // no EV: the pilot wire sits at +12 V
    expect(r.json.wire.high).toBeCloseTo(12, 1);
  });

  it('plugging in starts a charge: state C, contactor closed, the pilot wire at 6 V', () => {
    const { call, clock, state } = booted();
    expect(call('POST', '/sim/plug').json.ev.plugged).toBe(true);
    clock.advanceUntil(() => state() === 3, 10_000);
    const s = call('GET', '/sim/status').json;
    expect(s.relay).toBe(true);
    // J1772 state C: 6 V nominal (5.48–6.49 V) on the positive half, −12 V on the negative
    expect(s.wire.high).toBeGreaterThan(5.48);
    expect(s.wire.high).toBeLessThan(6.49);
    expect(s.wire.low).toBeCloseTo(-12, 1);
    expect(s.draw).toBeGreaterThan(5.9);
  });

  it('the EV draws no more than its own limit', () => {
    const { call, clock, state } = booted();
    call('POST', '/sim/ev', JSON.stringify({ max_current: 10 }));
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    expect(call('GET', '/sim/status').json.draw).toBeCloseTo(10, 1);
  });

  it('an EV that stops asking for charge goes back to B and the contactor opens', () => {
    const { call, clock, state, station } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    expect(call('POST', '/sim/ev', JSON.stringify({ charge: false })).json.ev.charge).toBe(false);
    clock.advanceUntil(() => state() === 2, 2_000);
    expect(station.mains.energized).toBe(false);
  });

  it('unplugging returns the station to A', () => {
    const { call, clock, state } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    call('POST', '/sim/unplug');
    clock.advanceUntil(() => state() === 1, 1_000);
    expect(call('GET', '/sim/status').json.relay).toBe(false);
  });

  it('a ground fault trips the GFCI (30 mA > CCID20) and opens the contactor; unplug clears it', () => {
    const { call, clock, state, station } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    clock.advance(3000); // past the UL early-fault window, so the fault is not latched for good
    const r = call('POST', '/sim/fault/gfci');
    expect(r.json.faults.gfci).toEqual({ active: true, value: 30, unit: 'mA' });
    clock.advanceUntil(() => state() === 6, 1_000);
    expect(station.mains.energized).toBe(false);
    expect(call('DELETE', '/sim/fault/gfci').json.faults.gfci.active).toBe(false);
    call('POST', '/sim/unplug');
    clock.advanceUntil(() => state() === 1, 2_000);
  });

  it('takes the size of a fault from ?value= or a JSON body', () => {
    const { call, station } = booted();
    expect(call('POST', '/sim/fault/temperature', '', { value: '720' }).json.faults.temperature.value).toBe(720);
    expect(station.thermometers.read().filter((t) => t !== null)[0]).toBe(720);
    expect(call('POST', '/sim/fault/gfci', '{"value":12}').json.faults.gfci.value).toBe(12);
    expect(call('POST', '/sim/fault/ground', '{"value":true}').json.faults.ground.active).toBe(true);
    expect(station.mains.grounded).toBe(false);
    expect(call('POST', '/sim/fault/ground/clear').json.faults.ground.active).toBe(false);
    expect(station.mains.grounded).toBe(true);
  });

  it('over temperature (75.0 °C > 71.0 °C panic) faults the charge; clearing restores ambient', () => {
    const { call, clock, state } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    call('POST', '/sim/fault/temperature');
    clock.advanceUntil(() => state() === 10, 5_000);
    const s = call('DELETE', '/sim/fault/temperature').json;
    expect(s.faults.temperature.active).toBe(false);
    expect(s.faults.temperature.value).toBe(250);
  });

  it('a welded relay, a shorted diode and a shorted pilot reach the models', () => {
    const { call, station } = booted();
    call('POST', '/sim/fault/relay_weld');
    expect(station.mains.welded).toBe(true);
    call('POST', '/sim/fault/diode');
    expect(station.ev.diodeShorted).toBe(true);
    call('POST', '/sim/fault/pilot_short');
    expect(station.pilot.shorted).toBe(true);
    call('POST', '/sim/fault/overdraw');
    expect(station.ev.overdraw).toBe(10);
    const s = call('POST', '/sim/clear').json;
    for (const name of Object.keys(s.faults)) expect(s.faults[name].active).toBe(false);
    expect(station.mains.welded).toBe(false);
    expect(station.ev.diodeShorted).toBe(false);
    expect(station.pilot.shorted).toBe(false);
    expect(station.ev.overdraw).toBe(0);
  });

  it('each fault injected during a charge opens the contactor with the OpenEVSE fault code', () => {
    // OpenEVSE state codes: 4 vent required, 5 diode check failed, 6 GFCI, 7 no ground
    // (a contactor that will not close looks the same), 10 over temperature, 11 over current
    const expected: [string, number][] = [['gfci', 6], ['ground', 7], ['relay_open', 7], ['temperature', 10], ['diode', 5], ['vent', 4], ['overdraw', 11]];
    for (const [name, code] of expected) {
      const { call, clock, state, station } = booted();
      call('POST', '/sim/plug');
      clock.advanceUntil(() => state() === 3, 10_000);
      clock.advance(3000);
      expect(call('POST', `/sim/fault/${name}`).json.faults[name].active).toBe(true);
      clock.advanceUntil(() => state() === code, 20_000);
      // at once, or after OpenEVSE's grace for the EV to stop (1 s over-current, 5 s over-temperature)
      clock.advanceUntil(() => !station.mains.energized, 5_000);
    }
  });

  it('a pilot shorted to earth drops the charge (no valid pilot state)', () => {
    const { call, clock, state, station } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    call('POST', '/sim/fault/pilot_short');
    clock.advanceUntil(() => !station.mains.energized, 1_000);
    expect(state()).not.toBe(3);
  });

  it('a welded contactor is found when the charge ends (stuck relay, 8)', () => {
    const { call, clock, state } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    call('POST', '/sim/fault/relay_weld');
    call('POST', '/sim/ev', '{"charge":false}');
    clock.advanceUntil(() => state() === 8, 10_000);
  });

  it('a dead GFCI sensor fails the self-test before the contactor closes (9)', () => {
    const { call, clock, state, station } = booted();
    call('POST', '/sim/fault/gfci_broken');
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 9, 10_000);
    expect(station.mains.energized).toBe(false);
  });

  it('a short press of the front-panel button pauses a charge and a second one resumes it (OpenEVSE)', () => {
    const { call, clock, state } = booted();
    call('POST', '/sim/plug');
    clock.advanceUntil(() => state() === 3, 10_000);
    expect(call('POST', '/sim/button').status).toBe(200);
    clock.advanceUntil(() => state() === 254, 2_000);
    call('POST', '/sim/button', '', { ms: '200' });
    clock.advanceUntil(() => state() === 3, 5_000);
    expect(call('POST', '/sim/button', '', { ms: 'long' }).status).toBe(400);
  });

  it('refuses bad input and changes nothing', () => {
    const { call, station } = booted();
    expect(call('POST', '/sim/fault/flood').status).toBe(404);
    expect(call('POST', '/sim/fault/gfci', '{"value":-5}').status).toBe(400);
    expect(call('POST', '/sim/fault/ground', '{"value":"maybe"}').status).toBe(400);
    expect(call('POST', '/sim/ev', '{"max_current":16,"charge":"yes"}').status).toBe(400);
    expect(station.ev.maxCurrent).toBe(32);
    expect(call('POST', '/sim/ev', '{not json').status).toBe(400);
    expect(call('GET', '/sim/plug').status).toBe(405);
    expect(call('POST', '/sim/status').status).toBe(405);
    expect(call('GET', '/sim/nothing/here').status).toBe(404);
    expect(station.ev.plugged).toBe(false);
  });

  it('withSimControl passes every other request to the charger', async () => {
    const { api } = booted();
    const seen: string[] = [];
    const next = (req: HttpRequest): Promise<HttpResponse> => {
      seen.push(req.path);
      return Promise.resolve({ status: 200, headers: {}, body: 'charger' });
    };
    const handler = withSimControl(api, next);
    expect((await handler(request('GET', '/status'))).body).toBe('charger');
    expect((await handler(request('GET', '/sim/status'))).status).toBe(200);
    expect(seen).toEqual(['/status']);
  });
});
