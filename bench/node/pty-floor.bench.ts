// The floor under "gateway + controller ≤ 50 µs per exchange": what one
// $GS exchange costs on the same pty rig as emulator.bench.ts (two
// pseudo-terminals joined by socat, the controller pinned to one core) when
// a side does nothing but wait, read and write, against our gateway and
// controller. Each side is one of:
//   C     bench/node/pty-floor/floor.c: epoll_wait, read, write on a
//         descriptor registered once: the kernel's share, which no firmware
//         on this rig goes under;
//   Node  bench/node/pty-floor/floor.mjs: the same in plain Node, a
//         tty.ReadStream and writeSync (SerialLink's default reader), no
//         RAPI code: what Node's event loop adds;
//   ours  the gateway side: this process's SerialLink + RapiClient; the
//         controller side: `--role controller` (the CLI, sim included).
// Pairs (PTY_FLOOR_VARIANTS, gateway-controller): C-C, Node-Node, Node-ours
// (our controller's cost over plain Node's), ours-Node (our gateway's),
// ours-ours. They are metered in the same rounds, in turn, the first one
// rotating; each round's idle stretch (every process waiting; our
// controller's own timers run) is taken off. CPU is every thread of the
// processes of a pair (/proc/PID/task/*/schedstat) per exchange.
//
//   npx tsx bench/node/pty-floor.bench.ts      (PTY_FLOOR_ROUNDS, PTY_FLOOR_STRETCH_MS, PTY_FLOOR_VARIANTS)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RapiClient } from '../../modules/gateway/rapi-client';
import { NodeClock } from '../../hosts/node/clock';
import { SerialLink } from '../../hosts/node/serial-link';
import { cleanup, tempDir, until } from '../../test/node/gateway/rig';
import { CPU, cpuNs, exchange, ours, pin, quartiles, userSystemNs, type Row } from './emulator.bench';

const here = fileURLToPath(new URL('./pty-floor/', import.meta.url));
const ROUNDS = Number(process.env.PTY_FLOOR_ROUNDS ?? 15);
const STRETCH_MS = Number(process.env.PTY_FLOOR_STRETCH_MS ?? 500);

type Kind = 'C' | 'Node' | 'ours';

/** One pairing of a gateway side and a controller side on its own socat rig. */
interface Variant {
  name: string;
  /** Processes whose CPU counts (the controller, and the gateway side unless it is this process). */
  pids: number[];
  /** true when the gateway side is this process (SerialLink + RapiClient). */
  self: boolean;
  /** `ms` of exchanges; resolves with how many. */
  run(ms: number): Promise<number>;
  us: number[];
  exchanges: number;
  user: number;
  system: number;
}

const command = (kind: 'C' | 'Node', bin: string) => (kind === 'C' ? [bin] : [process.execPath, join(here, 'floor.mjs')]);

async function variant(dir: string, gwKind: Kind, ctlKind: Kind, bin: string, procs: ChildProcess[], links: SerialLink[]): Promise<Variant> {
  const name = `${gwKind}-gw+${ctlKind}-ctl`;
  let ctlPid: number;
  let gwPath: string;
  if (ctlKind === 'ours') {
    const side = await ours(dir, undefined, name);
    procs.push(...side.procs);
    ctlPid = side.pid;
    gwPath = side.port;
  } else {
    const ctl = join(dir, `${name}-ctl`);
    gwPath = join(dir, `${name}-gw`);
    procs.push(spawn('socat', [`pty,raw,echo=0,link=${ctl}`, `pty,raw,echo=0,link=${gwPath}`], { stdio: 'ignore' }));
    await until(() => existsSync(ctl) && existsSync(gwPath), 5000, 10);
    const cmd = command(ctlKind, bin);
    const c = spawn(cmd[0], [...cmd.slice(1), 'ctl', ctl], { stdio: 'ignore' });
    procs.push(c);
    ctlPid = c.pid!;
  }
  pin(ctlPid);
  const tally = { us: [] as number[], exchanges: 0, user: 0, system: 0 };
  if (gwKind === 'ours') {
    const clock = new NodeClock();
    const link = await SerialLink.open(gwPath, 115200);
    links.push(link);
    const client = new RapiClient({ clock, timers: clock, link, sequenceIds: false, timeout: 5000 });
    link.onReceive((b) => client.receive(b));
    return { name: `${name} (serial reader ${link.reader})`, pids: [ctlPid], self: true, run: (ms) => exchange([client], ms), ...tally };
  }
  const cmd = command(gwKind, bin);
  const g = spawn(cmd[0], [...cmd.slice(1), 'gw', gwPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  procs.push(g);
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  createInterface({ input: g.stdout! }).on('line', (l) => {
    lines.push(l);
    waiter?.();
  });
  const next = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : (waiter = () => ((waiter = undefined), r(lines.shift()!)))));
  if ((await next()) !== 'ready') throw new Error(`${name}: the gateway side did not start`);
  return {
    name,
    pids: [ctlPid, g.pid!],
    self: false,
    async run(ms) {
      g.stdin!.write(`${ms}\n`);
      return Number(await next());
    },
    ...tally,
  };
}

/** ns on the CPU of `pids` (and of this process when `self`), with user and system ns (clock ticks). */
function meter(v: Variant): { t: number; ns: number; user: number; system: number } {
  let ns = 0;
  let user = 0;
  let system = 0;
  for (const pid of v.pids) {
    ns += cpuNs(pid);
    const [u, s] = userSystemNs(pid);
    user += u;
    system += s;
  }
  if (v.self) {
    const g = process.cpuUsage();
    ns += (g.user + g.system) * 1000;
    user += g.user * 1000;
    system += g.system * 1000;
  }
  return { t: performance.now(), ns, user, system };
}

/** PTY_FLOOR_VARIANTS: gateway-controller pairs, comma-separated (default: all five below). */
const PAIRS = (process.env.PTY_FLOOR_VARIANTS ?? 'C-C,Node-Node,Node-ours,ours-Node,ours-ours').split(',').map((x) => x.split('-') as [Kind, Kind]);

export async function floors(): Promise<Row[]> {
  const dir = tempDir('bench-pty-floor');
  const procs: ChildProcess[] = [];
  const links: SerialLink[] = [];
  try {
    const bin = join(dir, 'floor');
    const cc = spawnSync('cc', ['-O2', '-o', bin, join(here, 'floor.c')], { encoding: 'utf8' });
    const pairs = PAIRS.filter(([g, c]) => cc.status === 0 || (g !== 'C' && c !== 'C'));
    const variants: Variant[] = [];
    for (const [g, c] of pairs) variants.push(await variant(dir, g, c, bin, procs, links));
    for (const v of variants) await v.run(500); // warm up
    const load0 = loadavg()[0];
    for (let round = 0; round < ROUNDS; round++) {
      // One idle stretch a round for every variant's processes (our controller's own timers run meanwhile), taken off each busy one.
      const i0 = variants.map(meter);
      await new Promise((r) => setTimeout(r, STRETCH_MS));
      const i1 = variants.map(meter);
      const order = [...variants];
      // A different variant first each round: a drift in the machine's load favours none.
      for (let k = 0; k < round % order.length; k++) order.push(order.shift()!);
      for (const v of order) {
        const k = variants.indexOf(v);
        const idle = { ns: i1[k].ns - i0[k].ns, user: i1[k].user - i0[k].user, system: i1[k].system - i0[k].system, ms: i1[k].t - i0[k].t };
        const b0 = meter(v);
        const n = await v.run(STRETCH_MS);
        const b1 = meter(v);
        const scale = (b1.t - b0.t) / idle.ms;
        v.us.push((b1.ns - b0.ns - idle.ns * scale) / n / 1000);
        v.user += b1.user - b0.user - idle.user * scale;
        v.system += b1.system - b0.system - idle.system * scale;
        v.exchanges += n;
      }
    }
    const load1 = loadavg()[0];
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const where = `${ROUNDS} rounds of ${STRETCH_MS} ms, variants in turn; controllers pinned to CPU ${CPU}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`;
    // Paired by round (the same load): each pair against plain Node on both sides.
    const base = variants.find((v) => v.name === 'Node-gw+Node-ctl');
    const paired = (v: Variant) => {
      if (!base || v === base) return '';
      const [m, lo, hi] = quartiles(v.us.map((x, k) => x / base.us[k]));
      return `; ÷ Node-gw+Node-ctl in the same round: median ${m.toFixed(2)}, quartiles ${lo.toFixed(2)}–${hi.toFixed(2)}`;
    };
    return variants.map((v) => {
      const [m, lo, hi] = quartiles(v.us);
      return {
        name: `pty floor: ${v.name}, CPU per exchange`,
        value: r1(m),
        unit: 'µs',
        note: `median ${r1(m)}, quartiles ${r1(lo)}–${r1(hi)} µs${paired(v)}; user ${r1(v.user / v.exchanges / 1000)}, system ${r1(v.system / v.exchanges / 1000)} µs an exchange over the run (clock ticks); ${v.exchanges} exchanges, ${Math.round(v.exchanges / ((ROUNDS * STRETCH_MS) / 1000))}/s; ${where}`,
      };
    });
  } finally {
    for (const l of links) await l.close().catch(() => {});
    for (const p of procs) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    cleanup(dir);
  }
}

export default floors;

// npx tsx bench/node/pty-floor.bench.ts
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of await floors()) console.log(`${r.name.padEnd(96)} ${r.value} ${r.unit}  (${r.note})`);
  process.exit(0);
}
