// The device-only cost: the standalone firmware (bench/device/) metered on
// the XS engine per simulated second, idle and charging, with the split per
// module, and GET /status. Computrons are deterministic: the same on every
// run and machine, so these rows are what the CI meter gate compares.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXsnap } from '../../test/xs/xsnap.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const defaultOutDir = join(root, 'test', 'xs', '.build', 'device');

type Row = { name: string; value: number; unit: string; note?: string; xsMeterPerOp?: number };

async function runOnXs(mode: 'plain' | 'profiled' | 'functions' | 'status', outDir: string): Promise<Record<string, unknown>[]> {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, `${mode}.ts`);
  writeFileSync(entry, `import { main } from ${JSON.stringify(join(root, 'bench', 'device', 'scenario.ts'))};\nawait main(${JSON.stringify(mode)});\n`);
  const out = join(outDir, `${mode}.mjs`);
  // Moddable's Resource module (the dashboard's flash pages) as a host-buffer stand-in.
  const alias = { Resource: join(root, 'bench', 'device', 'resource-stand-in.ts') };
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: out, logLevel: 'warning', alias });
  const text = execFileSync(buildXsnap(), ['-m', out], { encoding: 'utf8' });
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const GROUPS: [string, (module: string) => boolean][] = [
  ['controller (modules/j1772)', (m) => m.startsWith('j1772/')],
  ['gateway (modules/gateway, MQTT bridge apart)', (m) => m.startsWith('gateway/') && m !== 'gateway/mqtt-bridge'],
  ['MQTT bridge (gateway/mqtt-bridge)', (m) => m === 'gateway/mqtt-bridge'],
  ['in-memory RAPI link (modules/rapi/link)', (m) => m.startsWith('rapi/')],
];

export async function deviceRows(outDir = defaultOutDir): Promise<Row[]> {
  const [plain] = (await runOnXs('plain', outDir)) as { idle: number; charging: number; status: number; publishes: number; root: number }[];
  const splits = (await runOnXs('profiled', outDir)) as { phase: 'idle' | 'charging'; parts: Record<string, number> }[];
  const rows: Row[] = [];
  for (const s of splits) {
    // A module entered often for almost nothing can come out a few computrons below 0 after the wrappers' cost is taken off.
    const firmware = Object.entries(s.parts).filter(([k]) => k !== 'harness' && k !== 'stand-ins').map(([k, v]) => [k, Math.max(0, v)] as [string, number]);
    const residue = Object.values(s.parts).reduce((a, v) => a + v, 0) - (s.phase === 'idle' ? plain.idle : plain.charging);
    const device = firmware.reduce((a, [, v]) => a + v, 0);
    const total = s.phase === 'idle' ? plain.idle : plain.charging;
    const r = (x: number) => Math.round(x);
    rows.push({
      name: `device: one second ${s.phase === 'idle' ? 'idle (no EV)' : 'charging at 32 A'}, firmware only`,
      value: r(device),
      unit: 'computrons/s',
      xsMeterPerOp: r(device),
      note: `controller + gateway + MQTT bridge; with the stand-ins and the bench's timer list ${r(total)} (stand-ins ${r(s.parts['stand-ins'] ?? 0)}, harness ${r(s.parts.harness ?? 0)}, split residue ${r(residue)})`,
    });
    for (const [group, match] of GROUPS) {
      const v = firmware.filter(([k]) => match(k)).reduce((a, [, x]) => a + x, 0);
      rows.push({ name: `device ${s.phase}: ${group}`, value: r(v), unit: 'computrons/s', xsMeterPerOp: r(v) });
    }
    for (const [k, v] of firmware.sort((a, b) => b[1] - a[1])) {
      rows.push({ name: `device ${s.phase}: module ${k}`, value: r(v), unit: 'computrons/s', xsMeterPerOp: r(v) });
    }
  }
  rows.push({ name: 'device: GET /status through the gateway router (charging)', value: Math.round(plain.status), unit: 'computrons', xsMeterPerOp: Math.round(plain.status) });
  rows.push({ name: 'device: GET / from flash resources (the Moddable host\'s dashboard route, gzip)', value: Math.round(plain.root), unit: 'computrons', xsMeterPerOp: Math.round(plain.root) });
  return rows;
}

export default function run(): Promise<Row[]> {
  return deviceRows();
}

/** `--functions`: the per-function profile (where the computrons go), not gated. */
export async function functionRows(outDir = defaultOutDir, top = 200): Promise<string[]> {
  const lines: string[] = [];
  const phases = (await runOnXs('functions', outDir)) as { phase: string; parts: Record<string, number>; calls: Record<string, number> }[];
  for (const p of phases) {
    lines.push(`${p.phase}: computrons/s, calls/s, computrons/call (each function without the wrapped functions it calls)`);
    const sorted = Object.entries(p.parts).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, v] of sorted) {
      const c = p.calls[k] ?? 0;
      lines.push(`  ${k.padEnd(72)} ${String(Math.round(v)).padStart(8)} ${String(Math.round(c)).padStart(6)} ${c ? String(Math.round(v / c)).padStart(6) : ''}`);
    }
  }
  return lines;
}

/** `--status`: where a GET /status goes (each status source on its own), not gated. */
export async function statusRows(outDir = defaultOutDir): Promise<string[]> {
  const [r] = (await runOnXs('status', outDir)) as { parts: [string, number][] }[];
  return r.parts.map(([k, v]) => `  ${k.padEnd(72)} ${String(Math.round(v)).padStart(8)} computrons`);
}

// `npx tsx bench/node/device.bench.ts` prints only these rows (`--functions`: the per-function profile; `--status`: GET /status's parts).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--functions')) {
  for (const l of await functionRows()) console.log(l);
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--status')) {
  for (const l of await statusRows()) console.log(l);
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of await deviceRows()) console.log(`${r.name.padEnd(70)} ${String(r.value).padStart(9)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
