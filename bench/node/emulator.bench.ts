// Side by side on one pty rig: our controller (the Node host's controller
// role, `npm start -- --role controller`) against the Python
// OpenEVSE_Emulator (github.com/jeremypoulter/OpenEVSE_Emulator, run by
// bench/emulator/run-emulator.py from a checkout named by the environment
// variable OPENEVSE_EMULATOR; none of its code is in this repository).
//
// Each controller sits behind the same rig: two pseudo-terminals joined by
// socat, our gateway's RapiClient on the far one, sending $GS and waiting
// for each reply. The CPU a controller spends is read from the kernel
// (/proc/PID/task/*/schedstat: ns on the CPU, every thread) over a stretch
// of exchanges and over an equal stretch without any, and the difference,
// divided by the exchanges, is its CPU per exchange: what its own timers and
// simulation loops cost anyway is taken off, for both.
//
// On a shared machine the CPU an exchange takes swings with what else runs
// (by 3× between rounds of one run, before this design), so the two sides
// are metered under the same conditions: both controllers are pinned to one
// core (taskset; EMULATOR_CPU, default 1, "none" not to pin) and exchange
// at the same time, a $GS to each per turn, so every stretch holds the same
// number of exchanges for both and the ratio is taken stretch by stretch.
// The busy and idle stretches alternate in order from round to round. A
// third stretch per round has our controller alone, for the gateway's side
// (this process's CPU: RapiClient, the serial link, the loop) plus ours.
//
// EMULATOR_COMPARE_READER=poller (or stream) adds a second controller of
// ours and a second link, both on that serial reader (SerialLink's
// EVSE_SERIAL_READER), metered alone in the same rounds as the default one:
// a before/after of the serial path under the same load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isReply, RapiClient, type RapiResult } from '../../modules/gateway/rapi-client';
import { NodeClock } from '../../hosts/node/clock';
import { SerialLink, type SerialReader } from '../../hosts/node/serial-link';
import { cleanup, tempDir, until } from '../../test/node/gateway/rig';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Rounds (EMULATOR_ROUNDS to change): each meters both sides at once, busy and idle, then ours alone. */
const ROUNDS = Number(process.env.EMULATOR_ROUNDS ?? 31);
/** One stretch, ms (EMULATOR_STRETCH_MS). */
const STRETCH_MS = Number(process.env.EMULATOR_STRETCH_MS ?? 500);
/** The core both controllers are pinned to (EMULATOR_CPU; "none": not pinned). */
export const CPU = process.env.EMULATOR_CPU ?? '1';

/** Pins every thread of `pid` to CPU; false when it could not (no taskset, or not asked). */
export function pin(pid: number): boolean {
  if (CPU === 'none') return false;
  const r = spawnSync('taskset', ['-a', '-p', '-c', CPU, String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

export type Row = { name: string; value: number; unit: string; note?: string };

/** ns on the CPU, all threads of `pid`. */
export function cpuNs(pid: number): number {
  let total = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return total;
}

export interface Side {
  name: string;
  pid: number;
  /** The pty the gateway opens. */
  port: string;
  /** The serial reader of both ends (ours only; undefined: the default). */
  reader?: SerialReader;
  procs: ChildProcess[];
}

function spawnLogged(cmd: string, args: string[], cwd = root, env = process.env): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, output: () => out };
}

export async function ours(dir: string, reader?: SerialReader, name = reader ? `ours-${reader}` : 'ours'): Promise<Side> {
  const ctl = join(dir, `${name}-ctl`);
  const gw = join(dir, `${name}-gw`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${ctl}`, `pty,raw,echo=0,link=${gw}`], { stdio: 'ignore' });
  await until(() => existsSync(ctl) && existsSync(gw), 5000, 10);
  const env = reader ? { ...process.env, EVSE_SERIAL_READER: reader } : process.env;
  const c = spawnLogged(process.execPath, ['hosts/node/start.mjs', '--role', 'controller', '--serial', ctl, '--http-port', '0', '--quiet', '--state-dir', join(dir, `${name}-state`)], root, env);
  await until(() => /evse-xs controller/.test(c.output()), 20000, 20).catch(() => {
    throw new Error(`our controller did not start:\n${c.output()}`);
  });
  return { name, pid: c.proc.pid!, port: gw, reader, procs: [c.proc, socat] };
}

async function emulator(dir: string, checkout: string): Promise<Side> {
  const slave = join(dir, 'emu-pty');
  const gw = join(dir, 'emu-gw');
  const e = spawnLogged('python3', [join(root, 'bench', 'emulator', 'run-emulator.py'), checkout, slave]);
  await until(() => /ready/.test(e.output()), 20000, 20).catch(() => {
    throw new Error(`the emulator did not start:\n${e.output()}`);
  });
  const socat = spawn('socat', [`pty,raw,echo=0,link=${gw}`, `open:${slave},raw,echo=0`], { stdio: 'ignore' });
  await until(() => existsSync(gw), 5000, 10);
  return { name: 'emulator', pid: e.proc.pid!, port: gw, procs: [e.proc, socat] };
}

/** Clock ticks a second for /proc/PID/stat (USER_HZ: 100 on Linux). */
const TICK_NS = 1e7;

/** User and system CPU of every thread of `pid`, ns, from /proc/PID/stat (clock ticks: coarse, summed over a run). */
export function userSystemNs(pid: number): [number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15; `rest` starts at field 3
  return [Number(rest[11]) * TICK_NS, Number(rest[12]) * TICK_NS];
}

interface Meter {
  t: number;
  ns: number[];
  gatewayNs: number;
  /** This process's user and system CPU, ns; each pid's user and system CPU, ns. */
  gw: [number, number];
  ctl: [number, number][];
}

function meterNow(pids: readonly number[]): Meter {
  const g = process.cpuUsage();
  return { t: performance.now(), ns: pids.map(cpuNs), gatewayNs: (g.user + g.system) * 1000, gw: [g.user * 1000, g.system * 1000], ctl: pids.map(userSystemNs) };
}

interface Stretch {
  /** Exchanges each client made. */
  exchanges: number;
  ms: number;
  /** CPU ns of each pid. */
  ns: number[];
  gatewayNs: number;
  /** User and system ns: this process, each pid. */
  gw: [number, number];
  ctl: [number, number][];
}

function since(a: Meter, pids: readonly number[], exchanges: number): Stretch {
  const b = meterNow(pids);
  return {
    exchanges,
    ms: b.t - a.t,
    ns: b.ns.map((x, i) => x - a.ns[i]),
    gatewayNs: b.gatewayNs - a.gatewayNs,
    gw: [b.gw[0] - a.gw[0], b.gw[1] - a.gw[1]],
    ctl: b.ctl.map((x, k) => [x[0] - a.ctl[k][0], x[1] - a.ctl[k][1]]),
  };
}

/**
 * For `ms`, turns of one $GS to each client at once (the next turn when every
 * reply is in); resolves with the turns made. Callbacks, not awaited
 * promises: the way the gateway's own polls use the client.
 */
export function exchange(clients: readonly RapiClient[], ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let turns = 0;
    let waiting = 0;
    const done = (r: RapiResult): void => {
      if (!isReply(r) || !r.ok) return reject(new Error(`$GS failed: ${JSON.stringify(r)}`));
      if (--waiting > 0) return;
      turns++;
      next();
    };
    const next = (): void => {
      if (performance.now() - t0 >= ms) return resolve(turns);
      waiting = clients.length;
      for (const c of clients) c.request('GS', [], 'poll', done);
    };
    next();
  });
}

async function busy(clients: readonly RapiClient[], pids: readonly number[], ms: number): Promise<Stretch> {
  const m = meterNow(pids);
  const n = await exchange(clients, ms);
  return since(m, pids, n);
}

async function idle(pids: readonly number[], ms: number): Promise<Stretch> {
  const m = meterNow(pids);
  await new Promise((r) => setTimeout(r, ms));
  return since(m, pids, 0);
}

/** Median and quartiles of `xs`. */
export function quartiles(xs: readonly number[]): [number, number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return [at(0.5), at(0.25), at(0.75)];
}

/** One of our controllers alone with the gateway's client, stretch after stretch: the gateway + controller figure. */
class Alone {
  readonly gatewayUs: number[] = [];
  readonly controllerUs: number[] = [];
  readonly bothUs: number[] = [];
  exchanges = 0;
  /** Idle taken off, over every stretch: user and system ns of this process and of the controller. */
  readonly split = { gwUser: 0, gwSys: 0, ctlUser: 0, ctlSys: 0 };

  constructor(
    readonly label: string,
    readonly index: number,
    readonly client: RapiClient,
  ) {}

  add(a: Stretch, i: Stretch): void {
    const k = this.index;
    const sa = a.ms / i.ms;
    const ctl = (a.ns[k] - i.ns[k] * sa) / a.exchanges / 1000;
    const gw = (a.gatewayNs - i.gatewayNs * sa) / a.exchanges / 1000;
    this.split.gwUser += a.gw[0] - i.gw[0] * sa;
    this.split.gwSys += a.gw[1] - i.gw[1] * sa;
    this.split.ctlUser += a.ctl[k][0] - i.ctl[k][0] * sa;
    this.split.ctlSys += a.ctl[k][1] - i.ctl[k][1] * sa;
    this.controllerUs.push(ctl);
    this.gatewayUs.push(gw);
    this.bothUs.push(gw + ctl);
    this.exchanges += a.exchanges;
  }
}

/** EMULATOR_COMPARE_READER=poller: a second controller and link on another serial reader, metered alone in the same rounds (before/after). */
const COMPARE = process.env.EMULATOR_COMPARE_READER as SerialReader | undefined;

export async function sideBySide(checkout: string): Promise<Row[]> {
  const dir = tempDir('bench-emulator');
  const sides: Side[] = [];
  const links: SerialLink[] = [];
  try {
    sides.push(await ours(dir), await emulator(dir, checkout));
    if (COMPARE) sides.push(await ours(dir, COMPARE));
    const pinned = sides.map((s) => pin(s.pid)).every(Boolean);
    const pids = sides.map((s) => s.pid);
    const clock = new NodeClock();
    const clients = await Promise.all(
      sides.map(async (s) => {
        const link = await SerialLink.open(s.port, 115200, s.reader ? { reader: s.reader } : {});
        links.push(link);
        // A shared machine can stall either process for a while: a generous timeout, so a stall costs time, not the run.
        const client = new RapiClient({ clock, timers: clock, link, sequenceIds: false, timeout: 5000 });
        link.onReceive((b) => client.receive(b));
        return client;
      }),
    );
    await exchange(clients, 1000); // warm up every end
    const load0 = loadavg()[0];
    const oursUs: number[] = [];
    const emuUs: number[] = [];
    const ratios: number[] = [];
    const alones = [new Alone(`serial reader ${links[0].reader}`, 0, clients[0])];
    if (COMPARE) alones.push(new Alone(`serial reader ${links[2].reader}`, 2, clients[2]));
    let turns = 0;
    let ms = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Busy first in even rounds, idle first in odd ones: a drift in the machine's load favours neither.
      let b: Stretch;
      let i: Stretch;
      if (round % 2 === 0) {
        b = await busy(clients.slice(0, 2), pids, STRETCH_MS);
        i = await idle(pids, STRETCH_MS);
      } else {
        i = await idle(pids, STRETCH_MS);
        b = await busy(clients.slice(0, 2), pids, STRETCH_MS);
      }
      // The alone stretches swap order every round too.
      for (const al of round % 2 === 0 ? alones : [...alones].reverse()) al.add(await busy([al.client], pids, STRETCH_MS), i);
      const scale = b.ms / i.ms;
      const o = (b.ns[0] - i.ns[0] * scale) / b.exchanges / 1000;
      const e = (b.ns[1] - i.ns[1] * scale) / b.exchanges / 1000;
      oursUs.push(o);
      emuUs.push(e);
      ratios.push(o / e);
      turns += b.exchanges;
      ms += b.ms;
    }
    const load1 = loadavg()[0];
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const q = (xs: number[], r = r1) => {
      const [m, lo, hi] = quartiles(xs);
      return { m: r(m), text: `median ${r(m)}, quartiles ${r(lo)}–${r(hi)}` };
    };
    const where = `${ROUNDS} rounds of ${STRETCH_MS} ms; ${pinned ? `the controllers pinned to CPU ${CPU}` : 'not pinned'}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`;
    const ratio = q(ratios, r2);
    const perUs = (ns: number, al: Alone) => r1(ns / al.exchanges / 1000);
    return [
      { name: 'rapi vs emulator: our controller, CPU per $GS exchange', value: q(oursUs).m, unit: 'µs', note: `${q(oursUs).text} µs; ${turns} exchanges each side, ${Math.round((turns / ms) * 1000)}/s; ${where}` },
      { name: 'rapi vs emulator: OpenEVSE_Emulator (Python), CPU per $GS exchange', value: q(emuUs).m, unit: 'µs', note: `${q(emuUs).text} µs; the same stretches` },
      {
        name: 'rapi vs emulator: ratio ours / emulator, median of the rounds (goal ≤ 1.0)',
        value: ratio.m,
        unit: '',
        note: `${ratio.text}; ≤ 1.0 in ${ratios.filter((x) => x <= 1).length} of ${ROUNDS} rounds; ${where}`,
      },
      ...alones.map((al, n) => ({
        name: `rapi vs emulator: gateway client + our controller, CPU per exchange${n === 0 ? ' (goal ≤ 50)' : `, ${al.label}`}`,
        value: q(al.bothUs).m,
        unit: 'µs',
        note: `${q(al.bothUs).text} µs; ${al.label}${n === 0 ? '' : `; ÷ ${alones[0].label} in the same round: ${q(al.bothUs.map((x, k) => x / alones[0].bothUs[k]), r2).text}`}; gateway side (this process: RapiClient, the serial link, the loop) ${q(al.gatewayUs).text}, our controller alone ${q(al.controllerUs).text}; ${al.exchanges} exchanges; in user space (the rest is the kernel's: pty, poll) over all of them: gateway ${perUs(al.split.gwUser, al)} of ${perUs(al.split.gwUser + al.split.gwSys, al)}, controller ${perUs(al.split.ctlUser, al)} of ${perUs(al.split.ctlUser + al.split.ctlSys, al)} (clock ticks); ${where}`,
      })),
    ];
  } finally {
    for (const l of links) await l.close().catch(() => {});
    for (const s of sides) for (const p of s.procs) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    cleanup(dir);
  }
}

export default async function run(): Promise<Row[]> {
  const checkout = process.env.OPENEVSE_EMULATOR;
  if (!checkout || !existsSync(join(checkout, 'src', 'emulator', 'rapi.py'))) {
    return [{ name: 'rapi vs emulator: skipped', value: 0, unit: '', note: 'set OPENEVSE_EMULATOR to a checkout of github.com/jeremypoulter/OpenEVSE_Emulator' }];
  }
  return sideBySide(checkout);
}

// OPENEVSE_EMULATOR=../OpenEVSE_Emulator npx tsx bench/node/emulator.bench.ts
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of await run()) console.log(`${r.name.padEnd(80)} ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
  process.exit(0);
}
