// How soon `/ws` tells a client of a change, on `npm start` (issue 11: within
// 100 ms on Node). A real `npm start` (the CLI bundle, no MQTT, no mDNS, a
// fresh state dir) and a `ws` client on its /ws; for each kind of change, the
// time from sending the request that makes it to the arrival of the first
// fragment that shows it. Measured from the request's start, so the figure
// holds the whole path a client sees: HTTP in, the gateway, the controller
// over the in-memory RAPI link where the change goes through it, the status
// stream, the WebSocket frame out. Wall time on a shared machine: the note
// gives the load average.
//
//   npx tsx bench/node/ws-latency.bench.ts          (also part of npm run bench)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SAMPLES = 60;

type Result = { name: string; value: number; unit: string; note?: string };
type Fragment = Record<string, unknown>;

interface Change {
  name: string;
  /** The request for sample i (alternating so that each one changes something). */
  request(i: number): { method: string; path: string; body?: unknown };
  /** Whether a fragment shows the change of sample i. */
  shows(f: Fragment, i: number): boolean;
  /** Whether sample i counts (else it only sets up the next one); default all. */
  measured?(i: number): boolean;
}

const CHANGES: Change[] = [
  {
    // J1772 debounce in the controller: a new pilot state counts after 250 ms (docs/controller.md).
    name: 'EV plugged in (/sim/plug → state 2/3; holds the 250 ms A→B debounce)',
    request: (i) => ({ method: 'POST', path: i % 2 ? '/sim/unplug' : '/sim/plug' }),
    shows: (f, i) => 'state' in f && (i % 2 ? f.state === 1 : f.state !== 1),
    measured: (i) => i % 2 === 0,
  },
  {
    // A step that removes power counts after 25 ms.
    name: 'EV unplugged (/sim/unplug → state 1; holds the 25 ms debounce)',
    request: (i) => ({ method: 'POST', path: i % 2 ? '/sim/unplug' : '/sim/plug' }),
    shows: (f, i) => 'state' in f && (i % 2 ? f.state === 1 : f.state !== 1),
    measured: (i) => i % 2 === 1,
  },
  {
    name: 'RAPI $FS/$FE over /r (controller sleeps/wakes: state)',
    request: (i) => ({ method: 'GET', path: `/r?json=1&rapi=${encodeURIComponent(i % 2 ? '$FE' : '$FS')}` }),
    shows: (f, i) => 'state' in f && (i % 2 ? f.state !== 254 : f.state === 254),
  },
  {
    name: 'POST /config (config_version)',
    request: (i) => ({ method: 'POST', path: '/config', body: { led_brightness: 100 + (i % 2) } }),
    shows: (f) => 'config_version' in f,
  },
  {
    name: 'POST|DELETE /override (override_version)',
    request: (i) => (i % 2 ? { method: 'DELETE', path: '/override' } : { method: 'POST', path: '/override', body: { charge_current: 10 } }),
    shows: (f) => 'override_version' in f,
  },
  {
    name: 'POST|DELETE /limit (limit_version)',
    request: (i) => (i % 2 ? { method: 'DELETE', path: '/limit' } : { method: 'POST', path: '/limit', body: { type: 'energy', value: 5000 } }),
    shows: (f) => 'limit_version' in f,
  },
  {
    name: 'POST|DELETE /claims/20 (claims_version)',
    request: (i) => (i % 2 ? { method: 'DELETE', path: '/claims/20' } : { method: 'POST', path: '/claims/20', body: { max_current: 12 } }),
    shows: (f) => 'claims_version' in f,
  },
];

function startCharger(state: string): Promise<{ url: string; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [join(root, 'hosts/node/start.mjs'), '--http-port', '0', '--no-mqtt', '--no-mdns', '--state-dir', state, '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start printed no URL in 60 s:\n${out}`)), 60_000);
    const look = (c: Buffer) => {
      out += c.toString();
      const m = out.match(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (!m) return;
      clearTimeout(timer);
      ok({
        url: m[1],
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null) return done();
            proc.once('exit', () => done());
            proc.kill('SIGINT');
          }),
      });
    };
    proc.stdout.on('data', look);
    proc.stderr.on('data', look);
    proc.once('exit', (code) => fail(new Error(`npm start exited (${code}):\n${out}`)));
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function run(samples = SAMPLES): Promise<Result[]> {
  const state = mkdtempSync(join(tmpdir(), 'evse-wsbench-'));
  const charger = await startCharger(state);
  const ws = new WebSocket(charger.url.replace('http', 'ws') + '/ws');
  let waiter: ((f: Fragment, at: number) => void) | undefined;
  ws.on('message', (data) => {
    const at = performance.now();
    waiter?.(JSON.parse(data.toString()) as Fragment, at);
  });
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    for (const end = Date.now() + 20_000; ; ) {
      const s = (await (await fetch(charger.url + '/status')).json()) as Fragment;
      if (s.rapi_connected === 1 && s.state === 1) break;
      if (Date.now() > end) throw new Error('the charger did not reach state 1');
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows: Result[] = [];
    for (const c of CHANGES) {
      const times: number[] = [];
      const n = c.measured ? samples * 2 : samples;
      for (let i = 0; i < n; i++) {
        const { method, path, body } = c.request(i);
        let t0 = 0;
        const arrived = new Promise<number>((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`${c.name}: sample ${i} not on /ws within 5 s`)), 5000);
          waiter = (f, at) => {
            if (!c.shows(f, i)) return;
            clearTimeout(timer);
            waiter = undefined;
            ok(at);
          };
        });
        t0 = performance.now();
        const r = await fetch(charger.url + path, {
          method,
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (r.status >= 300) throw new Error(`${c.name}: ${method} ${path} answered ${r.status}: ${await r.text()}`);
        await r.arrayBuffer();
        const at = await arrived;
        if (!c.measured || c.measured(i)) times.push(at - t0);
        // Let the change settle (the controller's state machine, the next poll) before the next one.
        await new Promise((r) => setTimeout(r, 30));
      }
      const s = [...times].sort((a, b) => a - b);
      rows.push({
        name: `ws latency: ${c.name}`,
        value: Math.round(pct(s, 50) * 10) / 10,
        unit: 'ms p50',
        note: `p99 ${pct(s, 99).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms, ${s.length} samples, load ${loadavg()[0].toFixed(2)}`,
      });
    }
    return rows;
  } finally {
    ws.terminate();
    await charger.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

export default run;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of await run()) console.log(`${r.name.padEnd(72)} ${r.value} ${r.unit} (${r.note})`);
}
