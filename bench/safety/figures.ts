// `npm run safety-figures`: measures every row of docs/safety.md's table
// (bench/safety/measure.ts: each scenario at all ten phases of the control
// tick, min–max) and writes the figures into the document, between the
// <!--m:id--> … <!--/m--> markers and the GFCI curve table's markers.
// `--check` only prints them and fails if the document differs.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Figure, gfciCurve, MEASURE } from './measure';

const doc = fileURLToPath(new URL('../../docs/safety.md', import.meta.url));
const check = process.argv.includes('--check');

function format(f: Figure): string {
  const n = (v: number) => (Number.isFinite(v) ? String(v) : '∞');
  const range = f.min === f.max ? n(f.min) : `${n(f.min)}–${n(f.max)}`;
  return `**${range} ${f.unit}**${f.note ? ` (${f.note})` : ''}`;
}

let text = readFileSync(doc, 'utf8');
const before = text;
for (const [id, measure] of Object.entries(MEASURE)) {
  const t0 = Date.now();
  const cell = format(measure());
  console.log(`${id.padEnd(18)} ${cell}   [${Date.now() - t0} ms]`);
  const re = new RegExp(`<!--m:${id}-->[^]*?<!--/m-->`, 'g');
  if (!re.test(text)) console.warn(`  (no <!--m:${id}--> marker in docs/safety.md)`);
  text = text.replace(re, `<!--m:${id}-->${cell}<!--/m-->`);
}
const rows = gfciCurve().map(({ mA, limit, figure }) => {
  const ok = figure.max <= limit ? 'inside' : '**OUTSIDE**';
  return `| ${mA} mA | ${limit.toFixed(1)} ms | ${format(figure)} | ${ok} |`;
});
const curve = ['| leak | UL 2231 limit (20/I)^1.43 s | measured: leak onset → relay open (10 tick phases) | |', '| --- | --- | --- | --- |', ...rows].join('\n');
console.log(curve);
text = text.replace(/<!--gfci-->[^]*?<!--\/gfci-->/, `<!--gfci-->\n${curve}\n<!--/gfci-->`);
if (check) {
  if (text !== before) {
    console.error('docs/safety.md figures differ from a fresh measurement: run npm run safety-figures');
    process.exit(1);
  }
} else {
  writeFileSync(doc, text);
  console.log(text === before ? 'docs/safety.md: unchanged' : 'docs/safety.md: figures written');
}
