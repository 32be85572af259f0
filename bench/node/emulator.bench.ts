// Side by side on one pty rig: our controller (the Node host's controller
// role, `npm start -- --role controller`) against the Python
// OpenEVSE_Emulator (github.com/jeremypoulter/OpenEVSE_Emulator, run by
// bench/emulator/run-emulator.py from a checkout named by the environment
// variable OPENEVSE_EMULATOR; none of its code is in this repository).
//
// Each controller sits behind the same rig: two pseudo-terminals joined by
// socat, our gateway's RapiClient on the far one, sending $GS and waiting
// for each reply. Rounds alternate between the two, several times. The CPU a
// controller spends is read from the kernel (/proc/PID/task/*/schedstat: ns
// on the CPU, every thread) over a stretch of exchanges and over an equal
// stretch without any, and the difference, divided by the exchanges, is its
// CPU per exchange: what its own timers and simulation loops cost anyway is
// taken off, for both. The gateway's side is this process's CPU in the same
// way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isReply, RapiClient } from '../../modules/gateway/rapi-client';
import { NodeClock } from '../../hosts/node/clock';
import { SerialLink } from '../../hosts/node/serial-link';
import { cleanup, tempDir, until } from '../../test/node/gateway/rig';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Rounds (EMULATOR_ROUNDS to change): each meters both sides, in alternating order. */
const ROUNDS = Number(process.env.EMULATOR_ROUNDS ?? 21);
const STRETCH_MS = 800;

type Row = { name: string; value: number; unit: string; note?: string };

/** ns on the CPU, all threads of `pid`. */
function cpuNs(pid: number): number {
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

interface Side {
  name: string;
  pid: number;
  /** The pty the gateway opens. */
  port: string;
  procs: ChildProcess[];
}

function spawnLogged(cmd: string, args: string[], cwd = root): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, output: () => out };
}

async function ours(dir: string): Promise<Side> {
  const ctl = join(dir, 'ours-ctl');
  const gw = join(dir, 'ours-gw');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${ctl}`, `pty,raw,echo=0,link=${gw}`], { stdio: 'ignore' });
  await until(() => existsSync(ctl) && existsSync(gw), 5000, 10);
  const c = spawnLogged(process.execPath, ['hosts/node/start.mjs', '--role', 'controller', '--serial', ctl, '--http-port', '0', '--quiet', '--state-dir', join(dir, 'state')]);
  await until(() => /evse-xs controller/.test(c.output()), 20000, 20).catch(() => {
    throw new Error(`our controller did not start:\n${c.output()}`);
  });
  return { name: 'ours', pid: c.proc.pid!, port: gw, procs: [c.proc, socat] };
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

interface Stretch {
  exchanges: number;
  ms: number;
  controllerNs: number;
  gatewayNs: number;
}

/** $GS exchanges for `ms` (or none: the same time idle), CPU metered on both sides. */
async function stretch(client: RapiClient, pid: number, ms: number, exchange: boolean): Promise<Stretch> {
  const c0 = cpuNs(pid);
  const g0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  if (exchange) {
    while (performance.now() - t0 < ms) {
      const r = await client.send('GS');
      if (!isReply(r) || !r.ok) throw new Error(`$GS failed: ${JSON.stringify(r)}`);
      n++;
    }
  } else await new Promise((r) => setTimeout(r, ms));
  const elapsed = performance.now() - t0;
  const g = process.cpuUsage(g0);
  return { exchanges: n, ms: elapsed, controllerNs: cpuNs(pid) - c0, gatewayNs: (g.user + g.system) * 1000 };
}

export async function sideBySide(checkout: string): Promise<Row[]> {
  const dir = tempDir('bench-emulator');
  const sides: Side[] = [];
  const links: SerialLink[] = [];
  try {
    sides.push(await ours(dir), await emulator(dir, checkout));
    const clock = new NodeClock();
    const clients = await Promise.all(
      sides.map(async (s) => {
        const link = await SerialLink.open(s.port, 115200);
        links.push(link);
        // A shared machine can stall either process for a while: a generous timeout, so a stall costs time, not the run.
        const client = new RapiClient({ clock, timers: clock, link, sequenceIds: false, timeout: 5000 });
        link.onReceive((b) => client.receive(b));
        for (let i = 0; i < 200; i++) await client.send('GS'); // warm up both ends
        return client;
      }),
    );
    const per = sides.map(() => ({ n: 0, rates: [] as number[], perRound: [] as number[], gwRound: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      // Ours first in even rounds, the emulator first in odd ones: a drift in the machine's load favours neither.
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const busy = await stretch(clients[i], sides[i].pid, STRETCH_MS, true);
        const idle = await stretch(clients[i], sides[i].pid, STRETCH_MS, false);
        const scale = busy.ms / idle.ms;
        const ctl = busy.controllerNs - idle.controllerNs * scale;
        const gw = busy.gatewayNs - idle.gatewayNs * scale;
        per[i].n += busy.exchanges;
        per[i].rates.push((busy.exchanges / busy.ms) * 1000);
        per[i].perRound.push(ctl / busy.exchanges / 1000);
        per[i].gwRound.push(gw / busy.exchanges / 1000);
      }
    }
    // The machine is shared: other work on it only ever adds CPU to a round
    // (cache misses, preemption), so the least-disturbed round of each side,
    // its minimum, is the figure compared; the median is given beside it.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const min = (xs: number[]) => Math.min(...xs);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const [o, e] = per;
    const spread = (xs: number[]) => `median ${r1(median(xs))} µs; rounds ${xs.map((x) => x.toFixed(1)).join(', ')}`;
    const rate = (p: { rates: number[] }) => Math.round(p.rates.reduce((a, b) => a + b) / ROUNDS);
    // The ratio round by round (the two sides metered back to back, under the
    // same load), its median and quartiles: the figure compared with the goal.
    const ratios = o.perRound.map((x, k) => x / e.perRound[k]).sort((a, b) => a - b);
    const quartile = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))];
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const atMostOne = ratios.filter((x) => x <= 1).length;
    return [
      { name: 'rapi vs emulator: our controller, CPU per $GS exchange', value: r1(min(o.perRound)), unit: 'µs', note: `least-disturbed of ${ROUNDS} rounds; ${spread(o.perRound)}; ${o.n} exchanges, ${rate(o)}/s` },
      { name: 'rapi vs emulator: OpenEVSE_Emulator (Python), CPU per $GS exchange', value: r1(min(e.perRound)), unit: 'µs', note: `least-disturbed of ${ROUNDS} rounds; ${spread(e.perRound)}; ${e.n} exchanges, ${rate(e)}/s` },
      {
        name: 'rapi vs emulator: ratio ours / emulator, median of the rounds (goal ≤ 1.0)',
        value: r2(median(ratios)),
        unit: '',
        note: `quartiles ${r2(quartile(0.25))}–${r2(quartile(0.75))}, ≤ 1.0 in ${atMostOne} of ${ROUNDS} rounds; least-disturbed rounds give ${r2(min(o.perRound) / min(e.perRound))}, medians ${r2(median(o.perRound) / median(e.perRound))}; load average ${loadavg()[0].toFixed(1)}`,
      },
      { name: 'rapi vs emulator: gateway client + our controller, CPU per exchange (goal ≤ 50)', value: r1(min(o.gwRound) + min(o.perRound)), unit: 'µs', note: `gateway side ${r1(min(o.gwRound))} µs (this process: RapiClient, serial port, the await loop; ${spread(o.gwRound)})` },
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
