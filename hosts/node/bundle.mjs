// The CLI bundle `npm start` runs (start.mjs): cli.ts and everything it
// imports, bundled by esbuild into hosts/node/.build/ so a start compiles no
// TypeScript and resolves no package files one by one.
//
// What the first /status needs is one classic script, `cli.cjs`, which the
// launcher compiles with V8's code cache (`cli.cache`, made at build time by a
// warm-up start: see warm.mjs): with it, V8 neither parses the script nor
// compiles the functions a start runs. What the CLI imports on demand
// (`import()`: the MQTT client and broker, ws, bonjour-service, serialport) is
// built apart as ES modules in `lazy/`, loaded only when used. A classic script
// cannot `import()` without an experimental vm flag, so the eager script calls
// `__evseImport`, which the launcher gives it.
//
// The bundle is stale when it is missing, when a file it was built from has
// changed since the build began or is gone, or when package.json,
// tsconfig.json or this file changed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'hosts', 'node', '.build');
export const bundle = join(outDir, 'cli.cjs');
const cacheFile = join(outDir, 'cli.cache');
const meta = join(outDir, 'cli.meta.json');
/** What shapes the bundle besides its sources. */
const SETTINGS = ['package.json', 'tsconfig.json', 'hosts/node/bundle.mjs', 'hosts/node/warm.mjs'];
/** The eager script's stand-in for `import(`; the launcher passes the function in. */
const IMPORT = '__evseImport';

/** Why the bundle must be rebuilt, or '' when it is current. */
export function staleness() {
  if (!existsSync(bundle) || !existsSync(meta)) return 'no bundle yet';
  let built, inputs;
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    // When the build began: a file saved while it ran counts as newer.
    built = m.startedAt;
    inputs = [...Object.keys(m.inputs), ...SETTINGS];
  } catch {
    return 'unreadable bundle metadata';
  }
  if (typeof built !== 'number') return 'unreadable bundle metadata';
  // Synchronous stats: about 10 µs each here, where fs/promises took 5–10 times that per file.
  for (const input of inputs) {
    const s = statSync(`${root}/${input}`, { throwIfNoEntry: false });
    if (!s) return `${input} is gone`;
    if (s.mtimeMs > built) return `${input} changed`;
  }
  return '';
}

/**
 * Compiles the eager script with the code cache when there is one that V8
 * accepts (one made by another Node version is refused, and the script is
 * compiled from source as without a cache). Nothing runs yet.
 */
export function compileCli({ cache = true } = {}) {
  let cachedData;
  try {
    if (cache) cachedData = readFileSync(cacheFile);
  } catch {
    // built without a cache (the warm-up failed): compile from source
  }
  // As Node wraps a CommonJS module, with the stand-in for import() first.
  const source = `(function (${IMPORT}, exports, require, module, __filename, __dirname) { ${readFileSync(bundle, 'utf8')}\n})`;
  const script = new Script(source, { filename: bundle, cachedData });
  return { script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** Runs the compiled script; its exports (main, startCharger, parseCli, …). */
export function runCli(script) {
  const module = { exports: {} };
  const base = pathToFileURL(bundle);
  const lazy = (specifier) => import(new URL(specifier, base).href);
  script.runInThisContext().call(module.exports, lazy, module.exports, createRequire(bundle), module, bundle, outDir);
  return module.exports;
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  const { writeFileSync, mkdirSync, rmSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const startedAt = Date.now();
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // serialport stays out for its native binding; ws's optional native helpers too.
    external: ['serialport', '@serialport/*', 'bufferutil', 'utf-8-validate'],
    metafile: true,
    logLevel: 'warning',
  };
  // Every import() in the CLI's graph becomes an entry of the lazy build, named after its file.
  const lazy = new Map();
  const eager = await build({
    ...common,
    entryPoints: [join(root, 'hosts', 'node', 'cli.ts')],
    format: 'cjs',
    outfile: bundle,
    // cli.ts asks whether it is the main module; in the bundle it never is (start.mjs runs it).
    define: { 'import.meta.url': '"file:///evse-xs-cli-bundle"' },
    plugins: [
      {
        name: 'lazy',
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (a) => {
            if (a.kind !== 'dynamic-import') return undefined;
            const r = await b.resolve(a.path, { kind: 'import-statement', resolveDir: a.resolveDir });
            if (r.errors.length) return { errors: r.errors };
            const name = a.path.replace(/^.*\//, '').replace(/\.[cm]?[jt]s$/, '');
            if (lazy.has(name) && lazy.get(name) !== r.path) return { errors: [{ text: `two lazy modules named ${name}` }] };
            lazy.set(name, r.path);
            return { path: `./lazy/${name}.mjs`, external: true };
          });
        },
      },
    ],
  });
  const later = await build({
    ...common,
    entryPoints: Object.fromEntries(lazy),
    format: 'esm',
    // Bundled CommonJS packages require Node's own modules.
    banner: { js: "import { createRequire as __evseCreateRequire } from 'node:module'; const require = __evseCreateRequire(import.meta.url);" },
    splitting: true,
    outdir: join(outDir, 'lazy'),
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  });
  // The eager script is a classic script: its import() calls go through the launcher.
  const source = readFileSync(bundle, 'utf8');
  const calls = source.split('import("./lazy/').length - 1;
  if (calls < lazy.size) throw new Error(`bundle: ${lazy.size} lazy modules but ${calls} import() calls found in ${bundle}`);
  writeFileSync(bundle, source.replaceAll('import("./lazy/', `${IMPORT}("./lazy/`));
  const inputs = Object.fromEntries([...Object.keys(eager.metafile.inputs), ...Object.keys(later.metafile.inputs)].map((k) => [k, 1]));
  writeFileSync(meta, JSON.stringify({ startedAt, inputs }));
  // The code cache: from a start in a child process (Node's own flags, as `npm start` has them) that serves one /status.
  const warm = spawnSync(process.execPath, [join(root, 'hosts', 'node', 'warm.mjs'), cacheFile], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (warm.status !== 0) {
    rmSync(cacheFile, { force: true });
    process.stderr.write(`npm start: no code cache (the warm-up start failed; starts compile the CLI instead): ${warm.stderr || warm.error?.message || `exit ${warm.status}`}\n`);
  }
}
