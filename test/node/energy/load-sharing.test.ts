// Load sharing with four `npm start` chargers on one machine, each on its own
// port, reading each other's /ws through a TCP proxy per ordered pair, so a
// charger can be killed, cut off the network or slowed down. The pilot every
// simulated EV sees is logged by each process (/sim/pilot-log, wall-clock ms)
// and merged here: the sum over the four is checked at every change, across
// the whole run. Circuit: 30 A for 4 chargers, so the fallback share is 7 A.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliProcess } from '../e2e/processes';
import { Proxy } from './proxy';

const N = 4;
const LIMIT = 30;
const FALLBACK = 7;

interface Charger {
  name: string;
  dir: string;
  proc?: CliProcess;
  url: string;
  port: number;
  /** Pilot changes read so far, [wall ms, A], and where the next read starts. */
  log: [number, number][];
  next: number;
}

const chargers: Charger[] = [];
/** proxies[i][j]: how charger i reaches charger j. */
const proxies: Proxy[][] = [];

/** EVSE_GROUP_LOGS=DIR: the chargers log (not --quiet) and their output and the merged pilot changes are written there. */
const LOGS = process.env.EVSE_GROUP_LOGS;
if (LOGS) mkdirSync(LOGS, { recursive: true });
/** EVSE_GROUP_LOAD=N: N busy-loop processes run beside the chargers for the whole test (a loaded CI machine). */
const LOAD = Number(process.env.EVSE_GROUP_LOAD ?? 0);
const busy: ChildProcess[] = [];
// Each ends by itself after 5 min, should the test die before afterAll.
for (let i = 0; i < LOAD; i++) busy.push(spawn(process.execPath, ['-e', 'const end = Date.now() + 300000; while (Date.now() < end) {}'], { stdio: 'ignore' }));

async function start(c: Charger): Promise<void> {
  if (c.proc && LOGS) appendFileSync(join(LOGS, `${c.name}.log`), c.proc.output());
  c.proc = runCli(['--http-port', '0', '--no-mqtt', '--no-mdns', '--state-dir', c.dir, ...(LOGS ? [] : ['--quiet'])]);
  c.url = (await c.proc.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//, 30000))[1];
  c.port = Number(c.url.split(':').pop());
  c.next = 0;
  for (let i = 0; i < N; i++) {
    const p = proxies[i]?.[chargers.indexOf(c)];
    if (p) {
      p.target = c.port;
      p.reset();
    }
  }
}

async function post(c: Charger, path: string, body?: unknown): Promise<Response> {
  return fetch(c.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function get(c: Charger, path: string): Promise<any> {
  return (await fetch(c.url + path)).json();
}

/** Reads new pilot changes from every running charger. */
async function sample(): Promise<void> {
  await Promise.all(
    chargers.map(async (c) => {
      if (!c.proc || c.proc.proc.exitCode !== null) return;
      try {
        const r = await get(c, `/sim/pilot-log?since=${c.next}`);
        c.log.push(...(r.entries as [number, number][]));
        c.next = r.next;
      } catch {
        // a charger being killed: its log ends where it died
      }
    }),
  );
}

/** The highest sum of the four pilots at any moment, from the merged logs; how many moments were checked; the changes around the highest. */
function maxSum(): { max: number; at: number; moments: number; over: number; around: string; all: string } {
  const events: { t: number; i: number; a: number }[] = [];
  chargers.forEach((c, i) => c.log.forEach(([t, a]) => events.push({ t, i, a })));
  // At equal milliseconds, decreases first: the sum is only known to the millisecond.
  events.sort((x, y) => x.t - y.t || x.a - y.a);
  const now = new Array(N).fill(0);
  let max = 0;
  let at = 0;
  let over = 0;
  const lines: string[] = [];
  for (const e of events) {
    now[e.i] = e.a;
    const sum = now.reduce((a, b) => a + b, 0);
    lines.push(`${new Date(e.t).toISOString()} ${chargers[e.i].name} ${e.a} A → [${now.join(', ')}] = ${sum} A`);
    if (sum > LIMIT) over++;
    if (sum > max) {
      max = sum;
      at = lines.length - 1;
    }
  }
  return { max, at: events[at]?.t ?? 0, moments: events.length, over, around: lines.slice(Math.max(0, at - 8), at + 4).join('\n'), all: lines.join('\n') };
}

async function during(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sample();
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function until(what: string, f: () => Promise<boolean>, ms = 40000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sample();
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

const offers = async () => Promise.all(chargers.map(async (c) => (await get(c, '/sim/status')).offer as number));
const held = async (c: Charger) => (await get(c, '/group')).held === true;

afterAll(async () => {
  for (const b of busy) b.kill('SIGKILL');
  await Promise.all(chargers.map((c) => c.proc?.interrupt()));
  await Promise.all(proxies.flat().map((p) => p.close()));
});

describe('load sharing between four npm start chargers', () => {
  it('never offers more than the circuit limit in sum, through a kill, a partition and random delays', async () => {
    const root = mkdtempSync(join(tmpdir(), 'group-'));
    for (let i = 0; i < N; i++) chargers.push({ name: `evse-${i + 1}`, dir: join(root, `evse-${i + 1}`), url: '', port: 0, log: [], next: 0 });
    await Promise.all(chargers.map((c) => start(c)));
    for (let i = 0; i < N; i++) {
      proxies.push([]);
      for (let j = 0; j < N; j++) {
        if (i === j) continue;
        const p = new Proxy(chargers[j].port);
        await p.listen();
        proxies[i][j] = p;
      }
    }
    // Three EVs plugged in before the group is configured would charge at full power: configure
    // first, and plug in once every member says its controller is bound (auto-start off, paused).
    for (let i = 0; i < N; i++) {
      const members = proxies[i].filter(Boolean).map((p) => `127.0.0.1:${p.port}`);
      const r = await post(chargers[i], '/config', {
        hostname: chargers[i].name,
        group_enabled: true,
        group_key: 'a key the four share',
        group_limit: LIMIT,
        group_size: N,
        group_members: members.join(','),
        group_rotation_time: 30,
      });
      expect(r.status).toBe(200);
    }
    await until('every member holds its controller', async () => (await Promise.all(chargers.map(held))).every(Boolean));
    for (const c of chargers.slice(0, 3)) await post(c, '/sim/plug');

    // 1. The group forms: three EVs share 30 A (10 each) instead of their 7 A fallback.
    await until('three EVs share the limit', async () => (await offers()).reduce((a, b) => a + b, 0) === LIMIT);
    const group = await get(chargers[0], '/group');
    expect(group.coordinating).toBe(true);
    expect(group.peers.filter((p: { fresh: boolean }) => p.fresh).length).toBe(3);

    // 2. Kill one charging member outright; the rest go on; it comes back with its saved settings.
    await sample();
    chargers[1].proc!.proc.kill('SIGKILL');
    await chargers[1].proc!.exited;
    // Its simulated station died with it: from here its pilot is off.
    chargers[1].log.push([Date.now(), 0]);
    await until('the other two share what the dead one leaves', async () => {
      const o = await Promise.all([0, 2].map(async (i) => (await get(chargers[i], '/sim/status')).offer as number));
      return o[0] + o[1] === LIMIT - FALLBACK;
    }, 25000);
    // It comes back with the EV still plugged in: its controller boots asleep ($FF S 0, set by the group).
    await start(chargers[1]);
    await post(chargers[1], '/sim/plug');
    await until('the restarted member is back in the group', async () => (await offers()).reduce((a, b) => a + b, 0) === LIMIT);

    // 3. Cut one member off: its traffic is dropped both ways. It falls back to 7 A, the others share the rest.
    for (let j = 0; j < N; j++) {
      if (j === 2) continue;
      proxies[2][j].mode = { kind: 'drop' };
      proxies[j][2].mode = { kind: 'drop' };
    }
    await until('the cut-off member sits at its fallback', async () => (await offers())[2] === FALLBACK);
    await during(8000);
    for (const row of proxies) for (const p of row) if (p) p.mode = { kind: 'pass' };
    for (const row of proxies) for (const p of row) p?.reset();

    // 4. Random delays of up to 1.5 s on every link for 20 s.
    for (const row of proxies) for (const p of row) if (p) p.mode = { kind: 'delay', maxMs: 1500 };
    await during(20000);
    for (const row of proxies) for (const p of row) if (p) p.mode = { kind: 'pass' };
    await until('the group shares again', async () => (await offers()).reduce((a, b) => a + b, 0) === LIMIT);

    await sample();
    const { max, at, moments, over, around, all } = maxSum();
    // The figures docs/energy.md quotes.
    console.log(`load sharing, four chargers${LOAD ? ` beside ${LOAD} busy loops` : ''}: ${moments} pilot changes checked, ${over} over ${LIMIT} A, highest sum ${max} A`);
    if (LOGS) {
      writeFileSync(join(LOGS, 'pilots.txt'), all + '\n');
      for (const c of chargers) appendFileSync(join(LOGS, `${c.name}.log`), c.proc!.output());
    }
    expect(moments).toBeGreaterThan(20);
    expect(max, `sum of pilots reached ${max} A at ${new Date(at).toISOString()}:\n${around}`).toBeLessThanOrEqual(LIMIT);
  }, 150000);
});
