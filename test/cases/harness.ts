// The portable test API. Case files import { describe, it, expect } from here.
// On XS (test/xs/run.mjs) this registry runs the cases; under vitest the import
// is redirected to test/node/harness.ts, which hands the same cases to vitest.
export { expect, AssertionError } from './expect';

export type Body = () => void | Promise<void>;
export interface Case {
  name: string;
  body: Body;
}

const cases: Case[] = [];
const prefix: string[] = [];

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

/** The engine the cases run on (the Node harness says 'node'). */
export const engine: 'node' | 'xs' = 'xs';

/** An environment variable the runner passed in (test/xs/run.mjs forwards STORM_*), or undefined. */
export function env(name: string): string | undefined {
  const vars = (globalThis as { __ENV__?: Record<string, string> }).__ENV__;
  return vars ? vars[name] : undefined;
}

/** `timeoutMs` is vitest's; XS runs each case to its end. */
export function it(name: string, body: Body, timeoutMs?: number): void {
  void timeoutMs;
  cases.push({ name: [...prefix, name].join(' > '), body });
}

export const test = it;

export interface Report {
  passed: number;
  failed: number;
  failures: { name: string; error: string }[];
}

/** Runs every registered case in order; `log` receives one line per failure. */
export async function runAll(log: (line: string) => void): Promise<Report> {
  const report: Report = { passed: 0, failed: 0, failures: [] };
  for (const c of cases) {
    try {
      await c.body();
      report.passed++;
    } catch (e) {
      report.failed++;
      const error = e instanceof Error ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
      report.failures.push({ name: c.name, error });
      log(`FAIL ${c.name}\n  ${error}`);
    }
  }
  return report;
}
