// Builds the CLI bundle `npm start` runs (start.cjs): cli.ts and everything
// it imports, bundled by esbuild into hosts/node/.build/ so a start compiles
// no TypeScript and resolves no package files one by one.
//
//   cli.cjs        what the first /status needs: one classic script (start.cjs
//                  compiles it with V8's code cache)
//   cli.cache      that code cache, made by a warm-up start (warm.mjs)
//   lazy/*.mjs     what the CLI imports on demand (`import()`: the MQTT client
//                  and broker, ws, bonjour-service, serialport), ES modules
//                  loaded only when used
//   cli.meta.json  when the build began and the files it was built from
//
// The bundle is stale when a file it was built from has changed since the
// build began or is gone: the project files in it, the package.json of each
// npm package in it (npm writes a package's files anew when it installs
// another version; a file edited inside node_modules by hand is not noticed),
// package.json, tsconfig.json and the files that build and load it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, stop } from 'esbuild';
import launcher from './start.cjs';

const { root, outDir, bundle, cacheFile, meta, IMPORT } = launcher;
export const { staleness, compileCli, runCli } = launcher;
export { bundle };
/** What shapes the bundle besides its sources. */
const SETTINGS = ['package.json', 'tsconfig.json', 'hosts/node/bundle.mjs', 'hosts/node/start.cjs', 'hosts/node/warm.mjs'];

export async function buildBundle() {
  try {
    await buildAll();
  } finally {
    // esbuild's service process would otherwise live as long as the charger a stale start rebuilt for.
    await stop();
  }
}

async function buildAll() {
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
    // cli.ts asks whether it is the main module; in the bundle it never is (start.cjs runs it).
    define: { 'import.meta.url': '"file:///evse-xs-cli-bundle"' },
    plugins: [
      {
        name: 'lazy',
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (a) => {
            if (a.kind !== 'dynamic-import') return undefined;
            if (a.path.startsWith('node:')) return { path: a.path, external: true };
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
  // The eager script is a classic script: its import() calls (lazy modules, Node's own) go through the launcher.
  const source = readFileSync(bundle, 'utf8').replace(/\bimport\("(\.\/lazy\/|node:)/g, `${IMPORT}("$1`);
  const left = /\bimport\(/.exec(source);
  if (left) throw new Error(`bundle: an import() the launcher cannot serve in ${bundle}: ${source.slice(left.index, left.index + 60)}`);
  writeFileSync(bundle, source);
  // A package counts by its package.json: one stat a start rather than one per file (there are ~190).
  const inputs = new Set();
  for (const f of [...Object.keys(eager.metafile.inputs), ...Object.keys(later.metafile.inputs)]) {
    const pkg = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f);
    inputs.add(pkg ? `${pkg[1]}/package.json` : f);
  }
  for (const f of SETTINGS) inputs.add(f);
  writeFileSync(meta, JSON.stringify({ startedAt, inputs: Object.fromEntries([...inputs].map((f) => [f, 1])) }));
  // The code cache: from a start in a child process (Node's own flags, as `npm start` has them) that serves one /status.
  const warm = spawnSync(process.execPath, [join(root, 'hosts', 'node', 'warm.mjs'), cacheFile, String(startedAt)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (warm.status !== 0) {
    rmSync(cacheFile, { force: true });
    process.stderr.write(`npm start: no code cache (the warm-up start failed; starts compile the CLI instead): ${warm.stderr || warm.error?.message || `exit ${warm.status}`}\n`);
  }
}
