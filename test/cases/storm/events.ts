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

const rapi = fc.oneof(
  fc.constantFrom('FE', 'FS', 'FD', 'F1', 'SY', 'SY 165', 'FE', 'FS'),
  { weight: 1, arbitrary: fc.constant('FR') },
  fc.tuple(fc.integer({ min: 0, max: 90 }), fc.boolean()).map(([a, v]) => `SC ${a}${v ? ' V' : ''}`),
  fc.tuple(fc.constantFrom('D', 'V', 'G', 'R', 'F', 'T', 'O', 'B'), flag).map(([l, on]) => `FF ${l} ${on}`),
  fc.integer({ min: 0, max: 8 }).map((n) => `S3 ${n}`),
  fc.integer({ min: 0, max: 12 }).map((n) => `SH ${n}`),
  fc.tuple(fc.constantFrom(0, 5, 30, 120), fc.constantFrom(0, 6, 10)).map(([i, a]) => `SY ${i} ${a}`),
);

/** One event kind with its arguments (the delay is added by `stormEvents`). */
const kinds: fc.Arbitrary<Omit<StormEvent, 'd'>> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Omit<StormEvent, 'd'>>({ k: 'plug' }, { k: 'unplug' }) },
  { weight: 5, arbitrary: flag.map((a) => ({ k: 'request' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'vent' as const, a })) },
  { weight: 2, arbitrary: flag.map((a) => ({ k: 'slow' as const, a })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0, 4, 5, 6, 20).map((a) => ({ k: 'overdraw' as const, a })) },
  // Tenths of a volt for 1–60 ms: enough to push B, C or D across a threshold either way.
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: -35, max: 35 }), fc.integer({ min: 1, max: 60 })).map(([a, b]) => ({ k: 'noise' as const, a, b })) },
  { weight: 3, arbitrary: fc.constantFrom(0, 0, 10, 19, 20, 25, 40, 100, 300).map((a) => ({ k: 'leak' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'gfci-broken' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'ground-lost' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'weld' as const, a })) },
  { weight: 1, arbitrary: fc.constantFrom(250, 640, 660, 690, 720).map((a) => ({ k: 'temp' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'diode' as const, a })) },
  { weight: 1, arbitrary: flag.map((a) => ({ k: 'short' as const, a })) },
  { weight: 8, arbitrary: rapi.map((c) => ({ k: 'rapi' as const, c })) },
  { weight: 1, arbitrary: fc.constant({ k: 'power' as const }) },
);

/** A storm: up to `max` events. */
export function stormEvents(max: number): fc.Arbitrary<StormEvent[]> {
  return fc.array(
    fc.tuple(delay, kinds).map(([d, e]) => ({ d, ...e }) as StormEvent),
    // Lengths spread over the whole range; a failure shrinks below `min` too.
    { minLength: 0, maxLength: max, size: 'max' },
  );
}
