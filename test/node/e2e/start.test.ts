// `npm start` runs a prebuilt bundle of the CLI (hosts/node/start.cjs,
// bundle.mjs): this checks that it serves, that V8 takes the code cache the
// build made, and that an edited source is never run stale: the launcher
// notices and rebuilds before it starts.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildBundle, bundle, staleness } from '../../../hosts/node/bundle.mjs';
import { ROOT } from './processes';

const dir = mkdtempSync(join(tmpdir(), 'evse-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start` with these options; resolves with the URL it serves and its output once /status answers. */
async function npmStart(args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const proc = spawn('npm', ['start', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const until = Date.now() + 30_000;
  let m: RegExpMatchArray | null = null;
  while (!(m = out.match(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))) {
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: m[1],
    output: () => out,
    stop: async () => {
      // npm passes SIGTERM on to the CLI, which saves and exits.
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

describe('npm start runs the prebuilt CLI bundle', () => {
  it('is current after a build, and stale when a source it was built from changes or is gone', async () => {
    await buildBundle();
    expect(staleness()).toBe('');
    // The build's warm-up start made a code cache, and Node as `npm start` runs it (no flags) accepts it.
    const cached = () => spawnSync(process.execPath, ['-p', `require(${JSON.stringify(join(ROOT, 'hosts', 'node', 'start.cjs'))}).compileCli().cached`], { encoding: 'utf8' }).stdout.trim();
    expect(cached()).toBe('true');
    // A cache from another build is not used, even where V8 would take it (same script length).
    const cacheFile = join(ROOT, 'hosts', 'node', '.build', 'cli.cache');
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
    const source = join(ROOT, 'modules', 'rapi', 'frame.ts');
    const t = statSync(source).mtime;
    try {
      const later = new Date(Date.now() + 5000);
      utimesSync(source, later, later);
      expect(staleness()).toBe('modules/rapi/frame.ts changed');
    } finally {
      utimesSync(source, t, t);
    }
    expect(staleness()).toBe('');
    const meta = join(ROOT, 'hosts', 'node', '.build', 'cli.meta.json');
    const saved = readFileSync(meta, 'utf8');
    try {
      const m = JSON.parse(saved) as { inputs: Record<string, unknown> };
      m.inputs['modules/gone.ts'] = {};
      writeFileSync(meta, JSON.stringify(m));
      expect(staleness()).toBe('modules/gone.ts is gone');
    } finally {
      writeFileSync(meta, saved);
    }
  });

  it('rebuilds a stale bundle before it starts, then serves /status from the new one', async () => {
    await buildBundle();
    const built = statSync(bundle).mtimeMs;
    const source = join(ROOT, 'modules', 'gateway', 'status.ts');
    const t = statSync(source).mtime;
    const later = new Date(Date.now() + 1000);
    utimesSync(source, later, later);
    try {
      const run = await npmStart(['--http-port', '0', '--no-mqtt', '--quiet', '--state-dir', join(dir, 'state')]);
      try {
        expect(run.output()).toContain('npm start: building the CLI bundle (modules/gateway/status.ts changed)');
        expect(statSync(bundle).mtimeMs).toBeGreaterThan(built);
        const r = await fetch(run.url + '/status');
        expect(r.status).toBe(200);
        expect(await r.json()).toHaveProperty('state');
      } finally {
        await run.stop();
      }
    } finally {
      utimesSync(source, t, t);
    }
    expect(staleness()).toBe('');
  });

  it('serves /ws to a first client that comes before anything has loaded the ws package', async () => {
    await buildBundle();
    const run = await npmStart(['--http-port', '0', '--no-mqtt', '--no-mdns', '--quiet', '--state-dir', join(dir, 'state-ws')]);
    try {
      // No HTTP request before: the package loads after the first answer, so this upgrade waits for it.
      const ws = new WebSocket(run.url.replace(/^http/, 'ws') + '/ws');
      const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
        ws.once('error', reject);
      });
      ws.close();
      expect(first).toHaveProperty('state');
    } finally {
      await run.stop();
    }
  });

  it('runs the bundled packages: the embedded MQTT broker and the gateway publishing to it, and /ws', async () => {
    await buildBundle();
    const run = await npmStart(['--http-port', '0', '--mqtt-port', '0', '--quiet', '--state-dir', join(dir, 'state-mqtt')]);
    try {
      const until = Date.now() + 20_000;
      let m: RegExpMatchArray | null = null;
      while (!(m = run.output().match(/MQTT\s+(mqtt:\/\/127\.0\.0\.1:\d+) \(embedded broker\)/))) {
        if (Date.now() > until) throw new Error(`no broker in the banner:\n${run.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const topic = run.output().match(/topics\s+(\S+)\/#/)![1];
      // MQTT: the gateway (mqtt package, bundled) publishes to the broker (aedes, bundled).
      const client = mqtt.connect(m[1]);
      const seen = new Map<string, string>();
      client.on('message', (t, p) => seen.set(t, p.toString()));
      await new Promise<void>((r) => client.on('connect', () => client.subscribe(`${topic}/#`, () => r())));
      await fetch(run.url + '/sim/plug', { method: 'POST' });
      const deadline = Date.now() + 15_000;
      while (seen.get(`${topic}/state`) !== '3' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(seen.get(`${topic}/state`)).toBe('3');
      client.end(true);
      // /ws (ws package, bundled): the first message is the status document.
      const ws = new WebSocket(run.url.replace(/^http/, 'ws') + '/ws');
      const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
        ws.once('error', reject);
      });
      ws.close();
      expect(first).toHaveProperty('state');
    } finally {
      await run.stop();
    }
  }, 40_000);
});
