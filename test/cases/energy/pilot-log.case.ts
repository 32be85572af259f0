// The simulation's record of what the pilot offers, which the multi-charger
// load-sharing test sums across processes: one entry per change, wall time.
import { describe, expect, it } from '../harness';
import { SimControlApi } from '../../../sim/control-api';
import { bootedStation, plugAndCharge } from '../j1772/station-fixture';

describe('pilot offer log', () => {
  it('records the offer when charging starts and when it changes, with the wall time', () => {
    const f = bootedStation();
    const api = new SimControlApi(f.station, { clock: f.clock });
    const get = (since?: number) => JSON.parse(api.handle({ method: 'GET', path: '/sim/pilot-log', query: since === undefined ? {} : { since: String(since) }, headers: {}, body: '' })!.body as string);
    const start = get();
    expect(start.entries).toEqual([[f.clock.wall(), 0]]);
    plugAndCharge(f);
    const after = get(start.next);
    expect(after.entries.length).toBe(1);
    expect(after.entries[0][1]).toBe(f.station.pilot.offer);
    expect(f.station.pilot.offer).toBeGreaterThanOrEqual(6);
    expect(get(after.next).entries).toEqual([]);
    expect(api.handle({ method: 'GET', path: '/sim/pilot-log', query: { since: '-1' }, headers: {}, body: '' })!.status).toBe(400);
  });
});
