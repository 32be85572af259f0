// The random events of a storm, as fast-check arbitraries: plugging, the EV's
// requests and misbehaviour, pilot noise that sits the wire on a threshold,
// every injected fault and its clearing, every safety-relevant RAPI command,
// and power cycles, with delays from 1 ms to minutes so an hour of virtual
// time holds both bursts inside one control tick and the 1-minute retries.

import fc from 'fast-check';
import type { StormEvent } from './world';

const delay = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }) },
  { weight: 4, arbitrary: fc.integer({ min: 50, max: 5000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 5000, max: 300_000 }) },
);

const flag = fc.constantFrom(0, 1);
/** A fault is injected one time in three and cleared the other two, so a storm does not sit in faults all hour. */
const fault = fc.constantFrom(0, 0, 1);
/** How long an injected fault lasts before it clears itself: a tick, seconds, or minutes. */
const lasting = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 50, max: 10_000 }), fc.integer({ min: 10_000, max: 600_000 }));
/** An injected fault with its value and how long it lasts. */
function injected(k: 'vent' | 'overdraw' | 'leak' | 'gfci-broken' | 'ground-lost' | 'weld' | 'temp' | 'diode' | 'short', values: fc.Arbitrary<number>) {
  return fc.tuple(values, lasting).map(([a, b]) => ({ k, a, b }));
}

const rapi = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('FE', 'FE', 'FS', 'FD', 'F1', 'SY', 'SY 165') },
  { weight: 1, arbitrary: fc.constant('FR') },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 90 }), fc.boolean()).map(([a, v]) => `SC ${a}${v ? ' V' : ''}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('D', 'V', 'G', 'R', 'F', 'T', 'O', 'B'), flag).map(([l, on]) => `FF ${l} ${on}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => `S3 ${n}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => `SH ${n}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 5, 30, 120), fc.constantFrom(0, 6, 10)).map(([i, a]) => `SY ${i} ${a}`) },
);

/** One event kind with its arguments (the delay is added by `stormEvents`). */
const kinds: fc.Arbitrary<Omit<StormEvent, 'd'>> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Omit<StormEvent, 'd'>>({ k: 'plug' }) },
  { weight: 3, arbitrary: fc.constant<Omit<StormEvent, 'd'>>({ k: 'unplug' }) },
  { weight: 5, arbitrary: fc.constantFrom(0, 1, 1).map((a) => ({ k: 'request' as const, a })) },
  { weight: 1, arbitrary: injected('vent', fault) },
  { weight: 2, arbitrary: flag.map((a) => ({ k: 'slow' as const, a })) },
  { weight: 1, arbitrary: injected('overdraw', fc.constantFrom(0, 4, 5, 6, 20)) },
  // Tenths of a volt for 1–60 ms: enough to push B, C or D across a threshold either way.
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: -35, max: 35 }), fc.integer({ min: 1, max: 60 })).map(([a, b]) => ({ k: 'noise' as const, a, b })) },
  { weight: 3, arbitrary: injected('leak', fc.constantFrom(0, 10, 19, 20, 25, 40, 100, 300)) },
  { weight: 1, arbitrary: injected('gfci-broken', fault) },
  { weight: 1, arbitrary: injected('ground-lost', fault) },
  { weight: 1, arbitrary: injected('weld', fault) },
  { weight: 1, arbitrary: injected('temp', fc.constantFrom(250, 640, 660, 690, 720)) },
  { weight: 1, arbitrary: injected('diode', fault) },
  { weight: 1, arbitrary: injected('short', fault) },
  { weight: 8, arbitrary: rapi.map((c) => ({ k: 'rapi' as const, c })) },
  { weight: 2, arbitrary: fc.constant({ k: 'power' as const }) },
);

/** A storm: up to `max` events. */
export function stormEvents(max: number): fc.Arbitrary<StormEvent[]> {
  return fc.array(
    fc.tuple(delay, kinds).map(([d, e]) => ({ d, ...e }) as StormEvent),
    // Lengths spread over the whole range; a failure shrinks below `min` too.
    { minLength: 0, maxLength: max, size: 'max' },
  );
}
