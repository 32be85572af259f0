#!/usr/bin/env node
// Runs the portable test cases (test/cases/**/*.case.ts) on the real XS engine.
// The cases are bundled with esbuild into one ES module, then run by the `xsnap`
// command-line program built from @agoric/xsnap. Prints `xs: N passed, N failed`.
//
//   node test/xs/run.mjs                 all cases
//   node test/xs/run.mjs rapi pilot      only case files whose path contains a word
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXsnap } from './xsnap.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const casesDir = join(root, 'test', 'cases');
const outDir = join(root, 'test', 'xs', '.build');

function findCases(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findCases(path));
    else if (name.endsWith('.case.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findCases(casesDir).filter((f) => filters.length === 0 || filters.some((w) => relative(root, f).includes(w)));
if (files.length === 0) {
  console.error('xs: no case files matched');
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
// Globals for the bundle, evaluated before any case. xsnap has no timers:
// fast-check captures setTimeout/clearTimeout when it loads (it uses them only
// for time-limited runs, which the cases do not ask for), so they exist and
// refuse to be used. __ENV__ carries the STORM_* variables (the storm cases'
// seed, path, run count and length: replay a failure with STORM_SEED=… STORM_PATH=…).
const forwarded = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('STORM_')));
writeFileSync(
  join(outDir, 'globals.js'),
  [
    `globalThis.__ENV__ = ${JSON.stringify(forwarded)};`,
    `if (typeof globalThis.setTimeout !== 'function') {`,
    `  globalThis.setTimeout = () => { throw new Error('no timers in the XS test engine'); };`,
    `  globalThis.clearTimeout = () => {};`,
    `}`,
  ].join('\n'),
);
// One bundle per directory of test/cases, run one after the other: a single
// bundle of every case came to about 4 000 module-level bindings, more than
// XS's stack holds for one module ("stack overflow" at start-up, before any
// case ran).
const groups = new Map();
for (const f of files) {
  const key = relative(casesDir, f).split('/')[0].replace(/\.case\.ts$/, '');
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(f);
}

async function runGroup(name, groupFiles) {
  const entry = join(outDir, `entry-${name}.ts`);
  writeFileSync(
    entry,
    [
      // First: globals the bundled libraries expect (fast-check captures setTimeout at load) and the STORM_* variables.
      `import ${JSON.stringify(join(outDir, 'globals.js'))};`,
      ...groupFiles.map((f) => `import ${JSON.stringify(f)};`),
      `import { runAll } from ${JSON.stringify(join(casesDir, 'harness.ts'))};`,
      `const report = await runAll((line) => print(line));`,
      `print(\`xs: \${report.passed} passed, \${report.failed} failed\`);`,
      `declare function print(s: string): void;`,
    ].join('\n'),
  );
  const bundle = join(outDir, `cases-${name}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: bundle,
    logLevel: 'warning',
  });
  const child = spawn(xsnap, ['-m', bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  const code = await new Promise((r) => child.on('close', r));
  const m = /xs: (\d+) passed, (\d+) failed/.exec(tail);
  if (code !== 0 || !m) {
    console.error(`xs (${name}): the engine exited with code ${code}${m ? '' : ' before reporting a result'}`);
    return { passed: 0, failed: 1 };
  }
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

const xsnap = buildXsnap();
let passed = 0;
let failed = 0;
for (const [name, groupFiles] of groups) {
  const r = await runGroup(name, groupFiles);
  passed += r.passed;
  failed += r.failed;
}
console.log(`xs: ${passed} passed, ${failed} failed (all groups)`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
