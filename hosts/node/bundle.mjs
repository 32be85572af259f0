// The CLI bundle `npm start` runs (start.mjs): cli.ts and the project files
// it imports, bundled by esbuild into hosts/node/.build/, npm packages left
// outside. It is stale when it is missing, when a file it was built from has
// changed since the build began or is gone, or when package.json,
// tsconfig.json or this file changed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'hosts', 'node', '.build');
export const bundle = join(outDir, 'cli.mjs');
const meta = join(outDir, 'cli.meta.json');
/** What shapes the bundle besides its sources. */
const SETTINGS = ['package.json', 'tsconfig.json', 'hosts/node/bundle.mjs'];

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
  for (const input of inputs) {
    let m;
    try {
      m = statSync(join(root, input)).mtimeMs;
    } catch {
      return `${input} is gone`;
    }
    if (m > built) return `${input} changed`;
  }
  return '';
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  const { writeFileSync, mkdirSync, rmSync } = await import('node:fs');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const startedAt = Date.now();
  const result = await build({
    entryPoints: [join(root, 'hosts', 'node', 'cli.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // npm packages are bundled too, so a start resolves and parses no package
    // files one by one (ws alone took 200 ms that way); serialport stays out
    // for its native binding.
    external: ['serialport', '@serialport/*', 'bufferutil', 'utf-8-validate'],
    // Bundled CommonJS packages require Node's own modules.
    banner: { js: "import { createRequire as __evseCreateRequire } from 'node:module'; const require = __evseCreateRequire(import.meta.url);" },
    // Modules the CLI imports on demand (serial port, MQTT, broker) become chunks loaded only then.
    splitting: true,
    outdir: outDir,
    entryNames: 'cli',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(meta, JSON.stringify({ startedAt, inputs: result.metafile.inputs }));
}

