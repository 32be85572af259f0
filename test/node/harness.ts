// Under vitest, portable case files get vitest's describe/it (so each case is a
// vitest test with its own report line) and the same portable expect as on XS.
export { describe, it, test } from 'vitest';
export { expect, AssertionError } from '../cases/expect';

/** The engine the cases run on (the XS harness says 'xs'). */
export const engine: 'node' | 'xs' = 'node';

/** An environment variable (STORM_SEED, STORM_PATH, STORM_RUNS, STORM_MINUTES). */
export function env(name: string): string | undefined {
  return process.env[name];
}
