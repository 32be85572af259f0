// Random event storms, half b of the CI set (two files, so vitest runs the halves on two workers):
// 100 runs × 1 simulated hour on Node, 2 runs × 20 minutes on XS (its interpreter runs a simulated hour in ~14 s, Node in ~0.3 s).
// STORM_RUNS, STORM_MINUTES, STORM_SEED and STORM_PATH override (docs/safety.md, "Event storms").

import { describe, engine, it, expect } from '../harness';
import { runStorms } from './run';

describe('event storms: the safety invariants hold under random events', () => {
  it('storm b: random plug/unplug, EV requests, pilot noise, every fault and its clearing, every safety RAPI command, power cycles', () => {
    const node = engine === 'node';
    const done = runStorms({ runs: node ? 100 : 2, minutes: node ? 60 : 20, seed: 2261 });
    expect(done.runs).toBeGreaterThan(0);
  }, 600_000);
});
