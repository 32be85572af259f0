// XS meter counts (computrons) of the portable benches and of the device
// scenario, and the committed baseline they are held to. The XS meter is
// deterministic, so a count that rises is code that got more expensive, on
// any machine: `npm test` fails on a rise over 10 % (test/node/bench/
// meter-gate.test.ts) unless the same commit updates the baseline with
// `npm run bench -- --update-baseline` and says why in its message.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXsnap } from '../test/xs/xsnap.mjs';
import { deviceRows } from './node/device.bench';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const casesDir = join(root, 'bench', 'cases');
export const BASELINE = join(root, 'bench', 'results', 'meter-baseline.json');
/** A rise above this fraction of the baseline fails the gate. */
export const ALLOWANCE = 0.1;
const ITERATIONS_XS = 200;

export function benchFiles(): string[] {
  return readdirSync(casesDir).filter((f) => f.endsWith('.bench.ts')).sort();
}

/** Each portable bench's op, run ITERATIONS_XS times between meter resets, minus an empty loop. */
export async function meterCases(outDir = join(root, 'test', 'xs', '.build', 'bench')): Promise<Map<string, number>> {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, 'bench-entry.ts');
  writeFileSync(
    entry,
    [
      ...benchFiles().map((f) => `import ${JSON.stringify(join(casesDir, f))};`),
      `import { allBenches } from ${JSON.stringify(join(casesDir, 'registry.ts'))};`,
      `declare function print(s: string): void; declare function resetMeter(a: number, b: number): number;`,
      `const N = ${ITERATIONS_XS};`,
      `const empty = () => {};`,
      `resetMeter(0, 0); for (let i = 0; i < N; i++) empty(); const base = resetMeter(0, 0);`,
      `for (const b of allBenches()) {`,
      `  const op = b.make(); op();`,
      `  resetMeter(0, 0); for (let i = 0; i < N; i++) op(); const m = resetMeter(0, 0);`,
      `  print(JSON.stringify({ name: b.name, meter: (m - base) / N }));`,
      `}`,
    ].join('\n'),
  );
  const bundle = join(outDir, 'bench.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: bundle, logLevel: 'warning' });
  const out = execFileSync(buildXsnap(), ['-m', bundle], { encoding: 'utf8' });
  const result = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const { name, meter } = JSON.parse(line) as { name: string; meter: number };
    result.set(name, meter);
  }
  return result;
}

/** What the gate holds: every portable bench, and the device figures (per second and per request). */
export async function gatedCounts(outDir?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, meter] of await meterCases(outDir && join(outDir, 'cases'))) out[name] = meter;
  for (const r of await deviceRows(outDir && join(outDir, 'device'))) {
    // The per-module split moves when code moves between modules; the gate holds the totals.
    if (r.xsMeterPerOp !== undefined && !/: module /.test(r.name)) out[r.name] = r.xsMeterPerOp;
  }
  return out;
}

export interface Baseline {
  note: string;
  counts: Record<string, number>;
}

export function readBaseline(): Baseline | undefined {
  return existsSync(BASELINE) ? (JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline) : undefined;
}

export function writeBaseline(counts: Record<string, number>): void {
  const sorted = Object.fromEntries(Object.keys(counts).sort().map((k) => [k, counts[k]]));
  const baseline: Baseline = {
    note: 'XS meter counts (computrons) the meter gate holds; regenerate with `npm run bench -- --update-baseline` and give the reason in the commit message (a "Meter baseline:" line).',
    counts: sorted,
  };
  writeFileSync(BASELINE, JSON.stringify(baseline, null, 2) + '\n');
}

/**
 * Against the baseline: ops whose count rose over the allowance (these fail
 * the gate), and ops new since the baseline or gone from the benches (told,
 * not failed: adding a bench must not block a landing; the next
 * `--update-baseline` takes them in).
 */
export function compare(baseline: Record<string, number>, now: Record<string, number>): { rises: string[]; added: string[]; gone: string[] } {
  const rises: string[] = [];
  const gone: string[] = [];
  for (const [name, was] of Object.entries(baseline)) {
    const is = now[name];
    if (is === undefined) gone.push(name);
    else if (is > was * (1 + ALLOWANCE) + 1) rises.push(`${name}: ${was} → ${is} computrons (+${(((is - was) / was) * 100).toFixed(1)} %, allowance ${ALLOWANCE * 100} %)`);
  }
  const added = Object.keys(now).filter((name) => !(name in baseline));
  return { rises, added, gone };
}
