// The real Moddable SDK for the tests: finds it, builds the firmware with
// mcconfig (release builds only: the debug makefile kills every mcsim on the
// machine), and runs builds in mcsim under a private Xvfb.
//
// Builds are cached by the content of everything that goes into them
// (manifest, sources, SDK path, build flags) under the system temp directory,
// so the suites of one `npm test` build once and share it; a lock directory
// keeps two concurrent test runs from building the same thing twice.
//
// Without an SDK the suites skip with the reason; under CI (CI=1, or
// EVSE_REQUIRE_MODDABLE=1 as .ci/run sets) a missing SDK is a failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSimulatorSocket } from '../../../tools/simulator-socket.mjs';
import { watchOutput, type OutputWatch } from '../e2e/processes';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Sdk {
  /** $MODDABLE */
  moddable: string;
  /** build/bin/lin/release: mcconfig, mcsim */
  bin: string;
}

/** True where the SDK is required: a missing one fails the tests instead of skipping them. */
export const sdkRequired = process.env.CI === '1' || process.env.CI === 'true' || process.env.EVSE_REQUIRE_MODDABLE === '1';

function usable(moddable: string): Sdk | undefined {
  const bin = join(moddable, 'build', 'bin', 'lin', 'release');
  return existsSync(join(bin, 'mcconfig')) && existsSync(join(bin, 'mcsim')) ? { moddable, bin } : undefined;
}

let found: { sdk?: Sdk; reason: string } | undefined;

/** $MODDABLE, else the copy ../shared/moddable/setup.sh builds (~/.cache/moddable-8.2.3). */
export function findSdk(): { sdk?: Sdk; reason: string } {
  if (found) return found;
  const candidates: string[] = [];
  if (process.env.MODDABLE) candidates.push(process.env.MODDABLE);
  const cache = process.env.MODDABLE_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'moddable-8.2.3');
  candidates.push(join(cache, 'moddable'));
  if (spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' }).status !== 0) {
    return (found = { reason: 'no Xvfb to run mcsim headless (apt-get install xvfb)' });
  }
  for (const c of candidates) {
    const sdk = usable(c);
    if (sdk) return (found = { sdk, reason: `Moddable SDK at ${c}` });
  }
  return (found = {
    reason: `no Moddable SDK (set MODDABLE, or run eval "$(../shared/moddable/setup.sh)"); looked in ${candidates.join(', ')}`,
  });
}

/** The SDK, or undefined after saying why the firmware tests skip; throws where the SDK is required. */
export function sdkOrSkip(suite: string): Sdk | undefined {
  const { sdk, reason } = findSdk();
  if (sdk) return sdk;
  if (sdkRequired) throw new Error(`${suite}: the Moddable SDK is required here (CI): ${reason}`);
  console.warn(`${suite}: skipped: ${reason}`);
  return undefined;
}

// ---------------------------------------------------------------------------
// Builds

/** Files whose content decides the build: the manifest and every source mcconfig reads. */
function sourceFiles(): string[] {
  const out = [join(ROOT, 'manifest.json'), join(ROOT, 'main.ts')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  for (const dir of ['modules', 'sim', 'hosts/moddable']) walk(join(ROOT, dir));
  return out.sort();
}

export interface BuildOptions {
  /** Instrumented release (`mcconfig -i`): "instruments:" lines each second. */
  instrumented?: boolean;
  /** XS `creation` for the simulator build in place of the manifest's (e.g. the esp32/* numbers). */
  creation?: unknown;
  /** `name=value` build settings (mc/config). */
  config?: Record<string, string>;
}

export interface Build {
  /** The simulator's app library. */
  so: string;
  /** Where mcconfig put its output and log. */
  dir: string;
  log: string;
}

function tscDir(): string {
  return join(ROOT, 'node_modules', '.bin');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const hit = findFile(path, name);
      if (hit) return hit;
    } else if (entry === name) return path;
  }
  return undefined;
}

/** Builds (or reuses) the firmware for the Linux simulator; release only. */
export async function buildFirmware(sdk: Sdk, options: BuildOptions = {}): Promise<Build> {
  // First, so that the content key covers it: the lin socket with working multicast (the mDNS responder's).
  writeSimulatorSocket(sdk.moddable);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ sdk: sdk.moddable, options }));
  for (const file of sourceFiles()) {
    hash.update(relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  const key = hash.digest('hex').slice(0, 16);
  const base = join(tmpdir(), 'evse-moddable-builds');
  const dir = join(base, key);
  const done = join(dir, 'build.json');
  const lock = join(base, `${key}.lock`);
  mkdirSync(base, { recursive: true });
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Build;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file (or another engineer's run) is building the same thing.
      const age = Date.now() - statSync(lock, { throwIfNoEntry: false })!?.mtimeMs;
      if (age > 300_000) rmSync(lock, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Build;
    rmSync(dir, { recursive: true, force: true });
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    const args = ['-m', '-p', 'lin', '-o', out];
    if (options.instrumented) args.unshift('-i');
    let manifest = join(ROOT, 'manifest.json');
    if (options.creation) {
      // A manifest of its own that includes the project's and replaces the simulator's creation.
      const app = join(dir, 'profile');
      mkdirSync(app);
      manifest = join(app, 'manifest.json');
      writeFileSync(manifest, JSON.stringify({ include: [join(ROOT, 'manifest.json')], platforms: { lin: { creation: options.creation } } }, null, 2));
    }
    args.push(manifest);
    for (const [k, v] of Object.entries(options.config ?? {})) args.push(`${k}=${v}`);
    const log = join(dir, 'mcconfig.log');
    const env = { ...process.env, MODDABLE: sdk.moddable, PATH: `${tscDir()}:${sdk.bin}:${process.env.PATH}` };
    const code = await new Promise<number | null>((done) => {
      const p = spawn('mcconfig', args, { cwd: dirname(manifest), env, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      p.stdout.on('data', (c: Buffer) => chunks.push(c));
      p.stderr.on('data', (c: Buffer) => chunks.push(c));
      p.on('close', (c) => {
        writeFileSync(log, Buffer.concat(chunks));
        done(c);
      });
    });
    const so = findFile(join(out, 'bin'), 'mc.so');
    if (code !== 0 || !so) {
      throw new Error(`mcconfig ${args.join(' ')} failed (exit ${code}); last lines of ${log}:\n${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}`);
    }
    const build: Build = { so, dir, log };
    writeFileSync(done + '.new', JSON.stringify(build));
    renameSync(done + '.new', done);
    return build;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The esp32/* `creation` block of manifest.json, exactly. */
export function esp32Creation(): Record<string, any> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));
  return manifest.platforms['esp32/*'].creation;
}

// ---------------------------------------------------------------------------
// Running: Xvfb and mcsim

export interface Display {
  display: string;
  close(): Promise<void>;
}

/** A private X server on a free display (Xvfb picks it: -displayfd). */
export async function startXvfb(): Promise<Display> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '640x480x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display in 10 s: ${err}`)), 10_000);
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${err}`));
    });
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    display: `:${number}`,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Simulator extends OutputWatch {
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a build in mcsim with `env` added (EVSE_HTTP_PORT, EVSE_STATE_DIR, …). */
export function startSimulator(sdk: Sdk, build: Build, display: Display, env: Record<string, string>): Simulator {
  // mcsim copies the app library to $XDG_CONFIG_HOME/tech.moddable.mcsim/mc.so
  // and loads it from there: two instances sharing that directory overwrite
  // each other's running code (found as SIGSEGV in the GC). One directory each.
  const config = mkdtempSync(join(tmpdir(), 'evse-mcsim-'));
  const proc = spawn('stdbuf', ['-oL', '-eL', join(sdk.bin, 'mcsim'), build.so], {
    // No session bus: mcsim is a GApplication and would otherwise hand its
    // file to an instance already running instead of starting its own.
    env: { ...process.env, DISPLAY: display.display, DBUS_SESSION_BUS_ADDRESS: 'disabled:', XDG_CONFIG_HOME: config, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchOutput(proc, 'mcsim', (code, signal) => {
    rmSync(config, { recursive: true, force: true });
    return `\n[mcsim exited: ${signal ?? `code ${code}`}]\n`;
  });
  return {
    proc,
    ...watch,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await watch.exited;
    },
  };
}

// ---------------------------------------------------------------------------
// One simulator suite at a time

/**
 * Waits until no other test file of this checkout is running simulators, and
 * takes the turn: the memory profile's load and the black-box suite's
 * 1-second checks must not compete for the machine's two cores. Returns the
 * release. A turn whose process has gone is taken over.
 */
export async function simulatorTurn(): Promise<() => void> {
  const key = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  const lock = join(tmpdir(), `evse-mcsim-turn-${key}`);
  const owner = join(lock, 'pid');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      let pid = NaN;
      try {
        pid = Number(readFileSync(owner, 'utf8'));
      } catch {
        // being created or removed
      }
      let alive = true;
      if (Number.isInteger(pid)) {
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
}
