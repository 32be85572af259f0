// Runs storms with fast-check: random event sequences against the invariant
// checker, shrunk to a minimal failing sequence, which is printed with the
// seed and path that replay it (STORM_SEED=… STORM_PATH=… on either engine).

import fc from 'fast-check';
import { env } from '../harness';
import { InvariantChecker } from './invariants';
import { stormEvents } from './events';
import { describeEvent, type StormEvent, StormWorld } from './world';

export interface StormOptions {
  /** Runs (random sequences); STORM_RUNS overrides. */
  runs: number;
  /** Virtual minutes per run; STORM_MINUTES overrides. */
  minutes: number;
  /** Default seed (each file its own); STORM_SEED overrides, STORM_PATH replays one counterexample. */
  seed: number;
  /** Most events per run (default 150). */
  events?: number;
}

/** What the storms of one `runStorms` reached: states visited, ms with the relay closed. */
export interface Coverage {
  states: Set<number>;
  relayClosedMs: number;
  virtualMs: number;
}

let coverage: Coverage = { states: new Set(), relayClosedMs: 0, virtualMs: 0 };

/** One run: the violation, or undefined. */
export function storm(events: readonly StormEvent[], minutes: number): string | undefined {
  return stormIn(new StormWorld(), events, minutes);
}

/** One run in a given world (a regression case looks at the world afterwards). */
export function stormIn(world: StormWorld, events: readonly StormEvent[], minutes: number): string | undefined {
  const checker = new InvariantChecker(world);
  const violation = world.run(events, minutes * 60_000, checker);
  for (const s of checker.statesSeen) coverage.states.add(s);
  coverage.relayClosedMs += checker.relayClosedMs;
  coverage.virtualMs += world.clock.now();
  return violation;
}

/** Runs the storms; throws with the minimal failing sequence and how to replay it. */
export function runStorms(options: StormOptions): { runs: number; minutes: number; coverage: Coverage } {
  coverage = { states: new Set(), relayClosedMs: 0, virtualMs: 0 };
  const runs = Number(env('STORM_RUNS') ?? options.runs);
  const minutes = Number(env('STORM_MINUTES') ?? options.minutes);
  const seed = Number(env('STORM_SEED') ?? options.seed);
  const path = env('STORM_PATH');
  const max = options.events ?? 150;
  let violation = '';
  const result = fc.check(
    fc.property(stormEvents(max), (events) => {
      const v = storm(events, minutes);
      if (v !== undefined) violation = v;
      return v === undefined;
    }),
    { seed, numRuns: runs, ...(path ? { path } : {}) },
  );
  if (result.failed) {
    const events = (result.counterexample?.[0] ?? []) as StormEvent[];
    // Run the minimal sequence once more for its own violation message.
    const v = storm(events, minutes) ?? violation;
    throw new Error(
      [
        `storm failed: ${v}`,
        `minimal sequence (${events.length} events, after ${result.numShrinks} shrinks):`,
        ...events.map((e) => `  ${describeEvent(e)}`),
        `replay: STORM_SEED=${result.seed} STORM_PATH=${result.counterexamplePath} STORM_MINUTES=${minutes} (npx vitest run test/cases/storm, or node test/xs/run.mjs storm)`,
        `as a regression case: ${JSON.stringify(events)}`,
      ].join('\n'),
    );
  }
  return { runs: result.numRuns, minutes, coverage };
}
