// XS memory of the standalone firmware, measured on the XS engine the tests
// use (xsnap from @agoric/xsnap): the scenario (moddable-memory.scenario.ts)
// is bundled with esbuild, run to a phase, garbage-collected, and the
// machine's snapshot is dumped; its HEAP and BLOC sections are the live slot
// heap and chunk heap. A run with no application code is the baseline.
//
// Slots: xsnap is a 64-bit build with 32-byte slots; the ESP32 has 16-byte
// slots, so slot COUNTS carry over and bytes halve. Chunks hold strings,
// bytecode and array storage (arrays store slots): the 64-bit figure is an
// upper bound for the ESP32. "loaded" includes every module's bytecode and
// function objects, which a device build preloads into flash (manifest.json
// `preload`): on the device only the differences from "loaded" are in RAM.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXsnap } from '../../test/xs/xsnap.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const outDir = join(root, 'test', 'xs', '.build', 'memory');
const SLOT_BYTES_XSNAP = 32;

export interface XsMemory {
  /** Live slots after gc. */
  slots: number;
  /** Live chunk bytes after gc (64-bit). */
  chunkBytes: number;
}

async function bundle(name: string, body: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, `${name}.ts`);
  writeFileSync(entry, body);
  const out = join(outDir, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: out, logLevel: 'warning' });
  return out;
}

export function measure(xsnap: string, module: string): XsMemory {
  const snap = module.replace(/\.mjs$/, '.snap');
  execFileSync(xsnap, ['-m', module, '-w', snap], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The dump is written to stderr.
  const r = spawnSync(xsnap, ['-d', snap], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const text = `${r.stdout}${r.stderr}`;
  const section = (tag: string) => {
    const m = new RegExp(`^${tag} (\\d+)$`, 'm').exec(text);
    if (!m) throw new Error(`snapshot dump has no ${tag} section`);
    return Number(m[1]);
  };
  // The section sizes include an 8-byte header.
  return { slots: Math.floor((section('HEAP') - 8) / SLOT_BYTES_XSNAP), chunkBytes: section('BLOC') - 8 };
}

export async function measureAll(): Promise<Record<'empty' | 'loaded' | 'idle' | 'charging' | 'energy', XsMemory>> {
  const xsnap = buildXsnap();
  const scenario = JSON.stringify(join(root, 'bench', 'node', 'moddable-memory.scenario.ts'));
  const decl = 'declare function gc(): void; declare const globalThis: any;';
  const empty = await bundle('empty', `${decl}\ngc();\n`);
  const loaded = await bundle('loaded', `${decl}\nimport * as s from ${scenario};\nglobalThis.keep = s;\ngc();\n`);
  const phase = (p: string) =>
    bundle(p, `${decl}\nimport { scenario } from ${scenario};\nglobalThis.keep = await scenario(${JSON.stringify(p)});\ngc();\n`);
  return {
    empty: measure(xsnap, empty),
    loaded: measure(xsnap, loaded),
    idle: measure(xsnap, await phase('idle')),
    charging: measure(xsnap, await phase('charging')),
    energy: measure(xsnap, await phase('energy')),
  };
}

export default async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const m = await measureAll();
  const rows: { name: string; value: number; unit: string; note?: string }[] = [];
  const code = { slots: m.loaded.slots - m.empty.slots, chunkBytes: m.loaded.chunkBytes - m.empty.chunkBytes };
  rows.push({ name: 'xs memory: firmware modules loaded, slots', value: code.slots, unit: 'slots', note: 'in flash when preloaded on the device' });
  rows.push({ name: 'xs memory: firmware modules loaded, chunks', value: code.chunkBytes, unit: 'bytes', note: 'bytecode and strings; in flash when preloaded' });
  for (const p of ['idle', 'charging', 'energy'] as const) {
    rows.push({ name: `xs memory: standalone ${p}, heap slots over loaded`, value: m[p].slots - m.loaded.slots, unit: 'slots', note: 'RAM on the device (16 B per slot)' });
    rows.push({ name: `xs memory: standalone ${p}, chunk bytes over loaded`, value: m[p].chunkBytes - m.loaded.chunkBytes, unit: 'bytes', note: '64-bit upper bound of ESP32 chunk use' });
  }
  return rows;
}

// `npx tsx bench/node/moddable-memory.bench.ts` prints the raw figures.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measureAll();
  console.log(JSON.stringify(m, null, 2));
}
