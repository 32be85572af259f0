// `npm run bench`: portable benches (bench/cases/*.bench.ts) metered on XS and
// timed on Node, then Node-only benches (bench/node/*.bench.ts). Prints a table
// and writes bench/results/latest.json (committed, so changes can be compared).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allBenches } from './cases/registry';
import { benchFiles as portableBenchFiles, compare, gatedCounts, meterCases, readBaseline, writeBaseline } from './meter';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const casesDir = join(root, 'bench', 'cases');
const nodeDir = join(root, 'bench', 'node');
const args = process.argv.slice(2);
const filter = args.filter((a) => !a.startsWith('--'));

// `npm run bench -- --update-baseline`: the meter gate's baseline only (XS counts, a few seconds).
if (args.includes('--update-baseline')) {
  const counts = await gatedCounts();
  const old = readBaseline();
  if (old) {
    const c = compare(old.counts, counts);
    for (const line of c.rises) console.log(`rose: ${line}`);
    for (const name of c.added) console.log(`new: ${name}`);
    for (const name of c.gone) console.log(`gone: ${name}`);
  }
  writeBaseline(counts);
  console.log(`written: bench/results/meter-baseline.json (${Object.keys(counts).length} ops); commit it with a "Meter baseline: <why>" line in the message`);
  process.exit(0);
}

interface Row {
  name: string;
  xsMeterPerOp?: number;
  nodeNsPerOp?: number;
  value?: number;
  unit?: string;
  note?: string;
}

const benchFiles = portableBenchFiles();

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
const meters = await meterCases();
for (const b of allBenches()) {
  if (!wanted(b.name)) continue;
  rows.push({ name: b.name, xsMeterPerOp: meters.get(b.name), nodeNsPerOp: Math.round(timeOnNode(b.make)) });
}

for (const f of readdirSync(nodeDir).filter((x) => x.endsWith('.bench.ts')).sort()) {
  const mod = (await import(pathToFileURL(join(nodeDir, f)).href)) as {
    default: () => Promise<{ name: string; value: number; unit: string; note?: string }[]>;
  };
  try {
    for (const r of await mod.default()) if (wanted(r.name)) rows.push(r);
  } catch (e) {
    // One bench failing (a busy machine, a missing tool) does not lose the others' figures.
    rows.push({ name: `${f}: failed`, value: 0, unit: '', note: (e as Error).message });
  }
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
const record = { date: new Date().toISOString(), node: process.version, command: 'npm run bench', xsIterations: 200, rows };
writeFileSync(join(root, 'bench', 'results', 'latest.json'), JSON.stringify(record, null, 2) + '\n');
console.log('\nwritten: bench/results/latest.json');
