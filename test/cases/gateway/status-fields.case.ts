// The controller's status fields (status.ts evseFields) find the hottest
// thermometer and show each reading in one pass instead of mapping and
// filtering the list and spreading it into Math.max. These cases hold the
// one pass to that definition, written out here as it was: same keys in the
// same order, same values, same JSON, for random snapshots (no readings,
// some, more than three, negative, equal, NaN).

import fc from 'fast-check';
import { describe, it, expect } from '../harness';
import { emptySnapshot, type EvseSnapshot } from '../../../modules/gateway/evse-snapshot';
import { evseFields, type Json } from '../../../modules/gateway/status';

/** The temperature fields as evseFields made them before (the definition). */
function definition(s: EvseSnapshot): Record<string, Json> {
  const temps = s.temps.map((t) => (t === null ? false : t));
  const valid = s.temps.filter((t): t is number => t !== null);
  return { temp: valid.length ? Math.max(...valid) : false, temp1: temps[0], temp2: temps[1], temp3: temps[2] };
}

const reading = fc.oneof(fc.constant(null), fc.integer({ min: -400, max: 1200 }), fc.constant(Number.NaN), fc.constant(-0));

describe('status fields: the thermometers in one pass', () => {
  it('the same temperature fields, keys and JSON as the map-and-filter definition', () => {
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 5 }), fc.integer({ min: 0, max: 80_000 }), (temps, amp) => {
        const s: EvseSnapshot = { ...emptySnapshot(), temps, amp };
        const got = evseFields(s, 240);
        const want = definition(s);
        for (const k of Object.keys(want)) {
          expect(k in got).toBe(true);
          expect(Object.is(got[k], want[k])).toBe(true);
        }
        const keys = Object.keys(got);
        expect(keys.slice(keys.indexOf('temp'), keys.indexOf('temp') + 4)).toEqual(['temp', 'temp1', 'temp2', 'temp3']);
        const picked = (o: Record<string, Json>) => JSON.stringify({ temp: o.temp, temp1: o.temp1, temp2: o.temp2, temp3: o.temp3 });
        expect(picked(got)).toBe(picked(want));
      }),
      { seed: 1501, numRuns: 500 },
    );
  });

  it('no thermometer: temp is false and temp1–temp3 are left out of the JSON', () => {
    const f = evseFields({ ...emptySnapshot(), temps: [] }, 240);
    const doc = JSON.parse(JSON.stringify(f)) as Record<string, unknown>;
    expect(doc.temp).toBe(false);
    expect('temp1' in doc).toBe(false);
    expect(doc.temp4).toBe(false);
  });

  it('readings 25.0 °C, none, 31.5 °C: the hottest is 315', () => {
    const f = evseFields({ ...emptySnapshot(), temps: [250, null, 315] }, 240);
    expect([f.temp, f.temp1, f.temp2, f.temp3]).toEqual([315, 250, false, 315]);
  });
});
