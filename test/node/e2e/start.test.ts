// `npm start` runs a prebuilt bundle of the CLI (hosts/node/start.cjs,
// bundle.mjs): this checks that it serves, that V8 takes the code cache the
// build made, and that an edited source is never run stale: the launcher
// notices and rebuilds before it starts.
//
// All of it on a build of its own (EVSE_BUILD_DIR): the test rebuilds and
// spoils that copy, never hosts/node/.build, which other processes may be
// running, and it ages the build rather than touching a source's mtime.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { interruptGroup, ROOT } from './processes';

const dir = mkdtempSync(join(tmpdir(), 'evse-start-'));
const buildDir = join(dir, 'build');
// Read by start.cjs when it loads (bundle.mjs imports it), and inherited by what this spawns.
process.env.EVSE_BUILD_DIR = buildDir;
const { buildBundle, bundle, staleness } = await import('../../../hosts/node/bundle.mjs');
const meta = join(buildDir, 'cli.meta.json');
const cacheFile = join(buildDir, 'cli.cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BuildMeta {
  startedAt: number;
  inputs: Record<string, unknown>;
}

/** The build's record with `edit` applied; restored after `during`. */
async function withMeta<T>(edit: (m: BuildMeta) => BuildMeta, during: () => T | Promise<T>): Promise<T> {
  const saved = readFileSync(meta, 'utf8');
  writeFileSync(meta, JSON.stringify(edit(JSON.parse(saved) as BuildMeta)));
  try {
    return await during();
  } finally {
    writeFileSync(meta, saved);
  }
}

interface Started {
  url: string;
  /** The embedded broker's URL and the gateway's topic, when the banner names them. */
  broker?: string;
  topic?: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `npm start` with these options, on this test's build; resolves once its whole banner is out (it prints it after it serves). */
async function npmStart(args: string[]): Promise<Started> {
  // In a process group of its own, as a terminal runs it, so that Ctrl-C can be sent as a terminal sends it.
  const proc = spawn('npm', ['start', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EVSE_BUILD_DIR: buildDir }, detached: true });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const until = Date.now() + 30_000;
  // The banner's last line: the lines before it (dashboard, MQTT, topics) are all there.
  while (!/Ctrl-C stops it/.test(out)) {
    if (proc.exitCode !== null || Date.now() > until) {
      await interruptGroup(proc.pid!).catch(() => {});
      throw new Error(`npm start did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: out.match(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//)![1],
    broker: out.match(/MQTT\s+(mqtt:\/\/127\.0\.0\.1:\d+) \(embedded broker\)/)?.[1],
    topic: out.match(/topics\s+(\S+)\/#/)?.[1],
    output: () => out,
    stop: async () => {
      await interruptGroup(proc.pid!);
      await exited;
    },
  };
}


/** The first message of a fresh /ws client: the status document. */
async function firstWsMessage(url: string): Promise<Record<string, unknown>> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
  try {
    return await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
      ws.once('error', reject);
    });
  } finally {
    ws.close();
  }
}

describe('npm start runs the prebuilt CLI bundle', () => {
  beforeAll(() => buildBundle(), 60_000);

  it('is current after a build, and stale when a source it was built from changes or is gone', async () => {
    expect(bundle).toBe(join(buildDir, 'cli.cjs'));
    expect(staleness()).toBe('');
    // The build's warm-up start made a code cache, and Node as `npm start` runs it (no flags) accepts it.
    const cached = () =>
      spawnSync(process.execPath, ['-p', `require(${JSON.stringify(join(ROOT, 'hosts', 'node', 'start.cjs'))}).compileCli().cached`], { encoding: 'utf8', env: { ...process.env, EVSE_BUILD_DIR: buildDir } }).stdout.trim();
    expect(cached()).toBe('true');
    // A cache from another build is not used, even where V8 would take it (same script length).
    const cache = readFileSync(cacheFile);
    try {
      const other = Buffer.from(cache);
      other.writeDoubleLE(other.readDoubleLE(0) - 1000);
      writeFileSync(cacheFile, other);
      expect(cached()).toBe('false');
    } finally {
      writeFileSync(cacheFile, cache);
    }
    expect(cached()).toBe('true');
    // A source saved after the build began: the build is made older than the file, not the file newer.
    const source = 'modules/rapi/frame.ts';
    const saved = statSync(join(ROOT, source)).mtimeMs;
    await withMeta(
      (m) => {
        expect(m.inputs).toHaveProperty([source]);
        // Checked first, so that the answer names it (other sources may be as new).
        return { startedAt: saved - 1, inputs: { [source]: 1, ...m.inputs } };
      },
      () => expect(staleness()).toBe(`${source} changed`),
    );
    expect(staleness()).toBe('');
    await withMeta(
      (m) => ({ ...m, inputs: { ...m.inputs, 'modules/gone.ts': 1 } }),
      () => expect(staleness()).toBe('modules/gone.ts is gone'),
    );
    expect(staleness()).toBe('');
  });

  it('rebuilds a stale bundle before it starts, then serves /status from the new one', async () => {
    const built = statSync(bundle).mtimeMs;
    // As if every input had been saved after the build began; the launcher names the first it checks.
    // Not restored: the rebuild writes its own record.
    const m = JSON.parse(readFileSync(meta, 'utf8')) as BuildMeta;
    writeFileSync(meta, JSON.stringify({ ...m, startedAt: 0 }));
    const first = Object.keys(m.inputs)[0];
    const run = await npmStart(['--http-port', '0', '--no-mqtt', '--quiet', '--state-dir', join(dir, 'state')]);
    try {
      expect(run.output()).toContain(`npm start: building the CLI bundle (${first} changed)`);
      expect(statSync(bundle).mtimeMs).toBeGreaterThan(built);
      const r = await fetch(run.url + '/status');
      expect(r.status).toBe(200);
      expect(await r.json()).toHaveProperty('state');
    } finally {
      await run.stop();
    }
    expect(staleness()).toBe('');
  }, 60_000);

  it('stops on Ctrl-C, every process it started, and the charger saves its state first', async () => {
    const state = join(dir, 'state-stop');
    const args = ['--http-port', '0', '--no-mqtt', '--no-mdns', '--quiet', '--state-dir', state];
    let run = await npmStart(args);
    const post = await fetch(run.url + '/config', { method: 'POST', body: JSON.stringify({ hostname: 'stop-test' }), headers: { 'Content-Type': 'application/json' } });
    expect(post.status).toBe(200);
    await run.stop(); // rejects while any process of the group runs on
    expect(run.output()).toContain('SIGINT: stopping, saving state');
    run = await npmStart(args);
    try {
      expect((await (await fetch(run.url + '/config')).json()).hostname).toBe('stop-test');
      // The crash log saw the clean stop: a second boot, reset reason "software", not "unknown".
      const status = (await (await fetch(run.url + '/status')).json()) as Record<string, unknown>;
      expect(status.boot_count).toBe(2);
      expect(status.reset_reason_str).toBe('software');
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('serves /ws to a first client that comes before anything has loaded the ws package', async () => {
    const run = await npmStart(['--http-port', '0', '--no-mqtt', '--no-mdns', '--quiet', '--state-dir', join(dir, 'state-ws')]);
    try {
      // No HTTP request before: the package loads after the first answer, so this upgrade waits for it.
      expect(await firstWsMessage(run.url)).toHaveProperty('state');
    } finally {
      await run.stop();
    }
  });

  it('runs the bundled packages: the embedded MQTT broker and the gateway publishing to it, and /ws', async () => {
    const run = await npmStart(['--http-port', '0', '--mqtt-port', '0', '--quiet', '--state-dir', join(dir, 'state-mqtt')]);
    try {
      expect(run.broker, run.output()).toMatch(/^mqtt:/);
      // MQTT: the gateway (mqtt package, bundled) publishes to the broker (aedes, bundled).
      const client = mqtt.connect(run.broker!);
      try {
        const seen = new Map<string, string>();
        client.on('message', (t, p) => seen.set(t, p.toString()));
        await new Promise<void>((r) => client.on('connect', () => client.subscribe(`${run.topic}/#`, () => r())));
        await fetch(run.url + '/sim/plug', { method: 'POST' });
        const deadline = Date.now() + 15_000;
        while (seen.get(`${run.topic}/state`) !== '3' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(seen.get(`${run.topic}/state`)).toBe('3');
      } finally {
        client.end(true);
      }
      // /ws (ws package, bundled): the first message is the status document.
      expect(await firstWsMessage(run.url)).toHaveProperty('state');
    } finally {
      await run.stop();
    }
  }, 40_000);
});
