// Random event storms, half b of the CI set (two files, so vitest runs the halves on two workers):
// 100 runs × 1 simulated hour on Node, 2 runs × 20 minutes on XS (its interpreter runs a simulated hour in ~14 s, Node in ~0.3 s).
// STORM_RUNS, STORM_MINUTES, STORM_SEED and STORM_PATH override (docs/safety.md, "Event storms").

import { describe, engine, it, expect } from '../harness';
import { runStorms } from './run';

describe('event storms: the safety invariants hold under random events', () => {
  it('storm b: random plug/unplug, EV requests, pilot noise, every fault and its clearing, every safety RAPI command, power cycles', () => {
    const node = engine === 'node';
    const done = runStorms({ runs: node ? 100 : 2, minutes: node ? 60 : 20, seed: 2261 });
    expect(done.runs).toBe(node ? 100 : 2);
    // Not vacuous: the relay carried current for a good part of the time, and (on Node) every
    // fault state and every resting state was reached.
    expect(done.coverage.relayClosedMs).toBeGreaterThan(node ? done.coverage.virtualMs / 20 : 0);
    const must = node ? [0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xfe, 0xff] : [0x03];
    expect(must.filter((s) => !done.coverage.states.has(s))).toEqual([]);
  }, 600_000);
});
