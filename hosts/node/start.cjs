#!/usr/bin/env node
// `npm start`: runs the CLI (cli.ts) from the bundle esbuild made of it
// (bundle.mjs), so a start compiles no TypeScript: tsx took most of the
// 645 ms to the first /status. The bundle is rebuilt first whenever it is
// stale, so an edited source never runs as its old self.
//
//   node hosts/node/start.cjs [cli options]   what `npm start` runs
//   node hosts/node/start.cjs --build         rebuild only (npm install runs this)
//
// EVSE_BUILD_DIR=DIR puts the build there instead of hosts/node/.build: a test
// builds and spoils its own copy while other processes run the usual one
// (outside the project, the lazy serialport import finds no package: no --serial).
//
// CommonJS, and Node's own modules only, so a start loads no ES module before
// it answers (Node's ES module loader costs a few milliseconds per file). The
// CLI's eager part is one classic script, compiled with V8's code cache made
// at build time (warm.mjs): V8 neither parses it nor compiles the functions a
// start runs. Its import() calls go through `__evseImport` (a classic script
// compiled by node:vm has no import() of its own without an experimental flag).
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const root = join(__dirname, '..', '..');
const outDir = process.env.EVSE_BUILD_DIR ? require('node:path').resolve(process.env.EVSE_BUILD_DIR) : join(root, 'hosts', 'node', '.build');
/** The eager script: cli.ts and what it imports statically. */
const bundle = join(outDir, 'cli.cjs');
/** V8's code cache for it, after the build's start time (8 bytes, float64 LE): see compileCli. */
const cacheFile = join(outDir, 'cli.cache');
/** When the build began and the files it was built from. */
const meta = join(outDir, 'cli.meta.json');
/** The eager script's stand-in for `import(`. */
const IMPORT = '__evseImport';

/** Why the bundle must be rebuilt, or '' when it is current. */
function staleness() {
  if (!existsSync(bundle) || !existsSync(meta)) return 'no bundle yet';
  let built, inputs;
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    // When the build began: a file saved while it ran counts as newer.
    built = m.startedAt;
    inputs = Object.keys(m.inputs);
  } catch {
    return 'unreadable bundle metadata';
  }
  if (typeof built !== 'number') return 'unreadable bundle metadata';
  // One stat per source and per package (bundle.mjs); the paths are relative, with forward slashes.
  for (const input of inputs) {
    const s = statSync(`${root}/${input}`, { throwIfNoEntry: false });
    if (!s) return `${input} is gone`;
    if (s.mtimeMs > built) return `${input} changed`;
  }
  return '';
}

/**
 * Compiles the eager script, with the code cache when there is one V8
 * accepts (one made by another Node version is refused, and V8 compiles from
 * source as without a cache). Nothing runs yet.
 */
function compileCli({ cache = true } = {}) {
  let cachedData;
  try {
    // V8 checks a cache against its source by length only: a cache from another build of the
    // same length would pass and run that build's code. The build's start time tells them apart.
    const data = cache ? readFileSync(cacheFile) : undefined;
    if (data && data.length > 8 && data.readDoubleLE(0) === JSON.parse(readFileSync(meta, 'utf8')).startedAt) cachedData = data.subarray(8);
  } catch {
    // built without a cache (the warm-up failed): compile from source
  }
  // As Node wraps a CommonJS module, with the stand-in for import() first.
  const source = `(function (${IMPORT}, exports, require, module, __filename, __dirname) { ${readFileSync(bundle, 'utf8')}\n})`;
  const script = new Script(source, { filename: bundle, cachedData });
  return { script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** Runs the compiled script; its exports (main, startCharger, parseCli, …). */
function runCli(script) {
  const module = { exports: {} };
  const base = pathToFileURL(bundle);
  // Node's own modules by require (as the rest of the script has them: no ES module loader, no
  // namespace that evaluates every lazy export), with the default export an ES import would have.
  const lazy = (specifier) =>
    specifier.startsWith('node:')
      ? new Promise((resolve) => {
          const m = require(specifier);
          resolve(Object.create(m, { default: { value: m } }));
        })
      : import(new URL(specifier, base).href);
  // The script requires Node's own modules only (packages are bundled or lazy).
  script.runInThisContext().call(module.exports, lazy, module.exports, require, module, bundle, outDir);
  return module.exports;
}

/** What `npm start` does: rebuild if stale, then the CLI with these arguments; exits with its code. */
async function launch(args) {
  if (args[0] === '--build') {
    await (await import('./bundle.mjs')).buildBundle();
    return;
  }
  const why = staleness();
  if (why) {
    process.stderr.write(`npm start: building the CLI bundle (${why})\n`);
    await (await import('./bundle.mjs')).buildBundle();
  }
  const { main } = runCli(compileCli().script);
  process.exit(await main(args));
}

module.exports = { root, outDir, bundle, cacheFile, meta, IMPORT, staleness, compileCli, runCli, launch };

if (require.main === module) {
  launch(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`npm start: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
