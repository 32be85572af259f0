// XS memory of the standalone firmware with OCPP on (ocpp-memory.scenario.ts),
// measured as moddable-memory.bench.ts measures the firmware without it: the
// live slot heap and chunk heap after gc, over the "loaded" baseline (module
// code, in flash on the device). `npx tsx bench/node/ocpp-memory.bench.ts`
// prints the raw figures; `npm run bench` adds the rows.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXsnap } from '../../test/xs/xsnap.mjs';
import { measure, type XsMemory } from './moddable-memory.bench';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const outDir = join(root, 'test', 'xs', '.build', 'ocpp-memory');

async function bundle(name: string, body: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, `${name}.ts`);
  writeFileSync(entry, body);
  const out = join(outDir, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: out, logLevel: 'warning' });
  return out;
}

export async function measureOcpp(): Promise<Record<'loaded' | 'ocpp-charging' | 'ocpp-offline', XsMemory>> {
  const xsnap = buildXsnap();
  const scenario = JSON.stringify(join(root, 'bench', 'node', 'ocpp-memory.scenario.ts'));
  const decl = 'declare function gc(): void; declare function print(s: string): void; declare const globalThis: any;';
  const loaded = await bundle('loaded', `${decl}\nimport * as s from ${scenario};\nglobalThis.keep = s;\ngc();\n`);
  const phase = (p: string) => bundle(p, `${decl}\nimport { scenario } from ${scenario};\nglobalThis.keep = await scenario(${JSON.stringify(p)});\ngc();\n`);
  const offline = await phase('ocpp-offline');
  return {
    loaded: measure(xsnap, loaded),
    'ocpp-charging': measure(xsnap, await phase('ocpp-charging')),
    'ocpp-offline': measure(xsnap, offline),
  };
}

export default async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const m = await measureOcpp();
  const rows: { name: string; value: number; unit: string; note?: string }[] = [];
  for (const p of ['ocpp-charging', 'ocpp-offline'] as const) {
    rows.push({ name: `xs memory: standalone charging with OCPP (${p === 'ocpp-charging' ? 'online' : 'offline, queue filling'}), heap slots over loaded`, value: m[p].slots - m.loaded.slots, unit: 'slots', note: 'RAM on the device (16 B per slot)' });
    rows.push({ name: `xs memory: standalone charging with OCPP (${p === 'ocpp-charging' ? 'online' : 'offline, queue filling'}), chunk bytes over loaded`, value: m[p].chunkBytes - m.loaded.chunkBytes, unit: 'bytes', note: '64-bit upper bound of ESP32 chunk use' });
  }
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measureOcpp();
  console.log(JSON.stringify(m, null, 2));
}
