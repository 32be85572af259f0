// `npm run bench`: portable benches (bench/cases/*.bench.ts) metered on XS and
// timed on Node, then Node-only benches (bench/node/*.bench.ts). Prints a table
// and writes bench/results/latest.json (committed, so changes can be compared).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildXsnap } from '../test/xs/xsnap.mjs';
import { allBenches } from './cases/registry';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const casesDir = join(root, 'bench', 'cases');
const nodeDir = join(root, 'bench', 'node');
const outDir = join(root, 'test', 'xs', '.build');
const filter = process.argv.slice(2);
const ITERATIONS_XS = 200;

interface Row {
  name: string;
  xsMeterPerOp?: number;
  nodeNsPerOp?: number;
  value?: number;
  unit?: string;
  note?: string;
}

const benchFiles = readdirSync(casesDir).filter((f) => f.endsWith('.bench.ts')).sort();

/** XS: each op run ITERATIONS_XS times between meter resets, minus an empty loop. */
async function meterOnXs(): Promise<Map<string, number>> {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, 'bench-entry.ts');
  writeFileSync(
    entry,
    [
      ...benchFiles.map((f) => `import ${JSON.stringify(join(casesDir, f))};`),
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

function timeOnNode(make: () => () => void): number {
  const op = make();
  for (let i = 0; i < 1000; i++) op();
  let n = 1000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns > 200e6) return ns / n;
    n *= 4;
  }
}

const rows: Row[] = [];
for (const f of benchFiles) await import(pathToFileURL(join(casesDir, f)).href);
const wanted = (name: string) => filter.length === 0 || filter.some((w) => name.includes(w));
const meters = await meterOnXs();
for (const b of allBenches()) {
  if (!wanted(b.name)) continue;
  rows.push({ name: b.name, xsMeterPerOp: meters.get(b.name), nodeNsPerOp: Math.round(timeOnNode(b.make)) });
}

for (const f of readdirSync(nodeDir).filter((x) => x.endsWith('.bench.ts')).sort()) {
  const mod = (await import(pathToFileURL(join(nodeDir, f)).href)) as {
    default: () => Promise<{ name: string; value: number; unit: string; note?: string }[]>;
  };
  for (const r of await mod.default()) if (wanted(r.name)) rows.push(r);
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
console.log(pad('operation', 58) + pad('XS meter/op', 14) + pad('Node ns/op', 12) + 'other');
for (const r of rows) {
  console.log(
    pad(r.name, 58) +
      pad(r.xsMeterPerOp === undefined ? '' : r.xsMeterPerOp.toFixed(1), 14) +
      pad(r.nodeNsPerOp === undefined ? '' : String(r.nodeNsPerOp), 12) +
      (r.value === undefined || r.xsMeterPerOp !== undefined ? (r.note ?? '') : `${r.value} ${r.unit ?? ''}${r.note ? ` (${r.note})` : ''}`),
  );
}
if (filter.length > 0) {
  console.log('\n(filtered run: bench/results/latest.json left as it was)');
  process.exit(0);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const record = { date: new Date().toISOString(), node: process.version, command: 'npm run bench', xsIterations: ITERATIONS_XS, rows };
writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify(record, null, 2) + '\n');
console.log('\nwritten: bench/results/latest.json');
