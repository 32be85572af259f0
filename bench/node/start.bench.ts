// Launch to first answered GET /status, for `npm start` (the prebuilt CLI
// bundle), for the launcher without npm in front, and for the CLI compiled
// at start by tsx as before. Median of 5 launches each (START_RUNS=N for
// more), interleaved; each launch as `npm start` runs by default (the
// embedded MQTT broker, here on a free port) with a fresh state directory.
// START_BASELINE=DIR adds another checkout's `npm start` and launcher to the
// same rounds (before and after under the same load). Wall time depends on
// the machine's load, so the note gives the load average, and the CPU time
// the launch's processes had used when the answer came (user + system, from
// /proc, in 10 ms ticks), which load disturbs less. The "start phase:" rows
// split the launcher's own time into its steps, timed inside one process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../hosts/node/bundle.mjs';
import { interruptGroup } from '../../test/node/e2e/processes';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const RUNS = Number(process.env.START_RUNS) || 5;

/** A port free a moment ago (the CLI prints its port only after it serves, too late to time the first answer). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** user + system CPU ms of a process and its descendants, from /proc (Linux); NaN elsewhere. */
function treeCpu(pid: number): number {
  if (!existsSync('/proc/self/stat')) return NaN;
  const stat = (p: number | string): string[] | undefined => {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      return s.slice(s.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  const children = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const f = stat(p);
    if (f) children.set(Number(f[1]), [...(children.get(Number(f[1])) ?? []), Number(p)]);
  }
  let ticks = 0;
  const walk = (p: number): void => {
    const f = stat(p);
    // utime, stime, and those of children already waited for.
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * Wall ms of a command run to its exit, and its CPU ms with its descendants': a shell runs it and,
 * once it has waited for it, prints its own /proc stat, whose cutime and cstime are that CPU (Linux).
 */
async function runToExit(command: string[], cwd?: string): Promise<{ wall: number; cpu: number }> {
  const linux = existsSync('/proc/self/stat');
  const t0 = performance.now();
  const child = linux
    ? spawn('sh', ['-c', '"$@" >/dev/null 2>&1; cat /proc/$$/stat', 'sh', ...command], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
    : spawn(command[0], command.slice(1), { cwd, stdio: 'ignore' });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((r) => child.once('close', () => r()));
  const wall = performance.now() - t0;
  const f = out.slice(out.lastIndexOf(')') + 2).split(' ');
  return { wall, cpu: linux ? (Number(f[13]) + Number(f[14])) * 10 : NaN };
}

/** Node's own start: `node -e 0`, spawn to exit. */
const nodeAlone = () => runToExit([process.execPath, '-e', '0']);

/** npm's own share: `npm start` of a package whose start script is `node -e 0`. */
function npmAlone(dir: string): Promise<{ wall: number; cpu: number }> {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'empty', private: true, scripts: { start: 'node -e 0' } }));
  return runToExit(['npm', 'start', '--silent'], dir);
}

async function firstStatus(command: string[], dir: string, cwd = root): Promise<{ wall: number; cpu: number }> {
  const port = await freePort();
  const args = ['--http-port', String(port), '--mqtt-port', '0', '--quiet', '--state-dir', dir];
  const t0 = performance.now();
  // A process group of its own, stopped as Ctrl-C stops it: a signal to npm alone is passed to
  // `sh`, which does not pass it on, and the charger would run on through the later rounds.
  const child = spawn(command[0], [...command.slice(1), ...args], { cwd, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() - t0 > 20000) throw new Error(`${command.join(' ')}: no /status in 20 s`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/status`);
        await r.arrayBuffer();
        if (r.ok) {
          const wall = performance.now() - t0;
          return { wall, cpu: treeCpu(child.pid!) };
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await interruptGroup(child.pid!);
  }
}


/**
 * Where the launcher's own time goes, in one process (`node -e`, as the launcher runs): ms from
 * the process's start to its first line of JavaScript, then each step of a start, timed by
 * performance.now(): the launcher's file, the staleness check, reading and compiling the
 * script with its code cache, Node's own modules the script requires, the script's top level,
 * and building the charger until it listens (no MQTT, no mDNS: neither comes before the first answer).
 */
const PHASES = `
const t = [performance.now()];
const mark = () => t.push(performance.now());
const l = require(${JSON.stringify(join(root, 'hosts', 'node', 'start.cjs'))}); mark();
if (l.staleness()) throw new Error('the bundle is stale'); mark();
const { script, cached } = l.compileCli(); mark();
for (const m of ['node:http', 'node:net', 'node:os', 'node:util', 'node:url', 'node:zlib']) require(m); mark();
const cli = l.runCli(script); mark();
cli.startCharger(cli.parseCli(['--http-port', '0', '--no-mqtt', '--no-mdns', '--quiet', '--state-dir', process.argv[1]])).then(() => {
  mark();
  process.stdout.write(JSON.stringify({ cached, ms: t.map((v, i) => v - (i ? t[i - 1] : 0)) }));
  process.exit(0);
});
`;
const PHASE_NAMES = [
  "Node's own start, to the first line of JavaScript",
  'the launcher (start.cjs) loaded',
  'staleness check (a stat per input)',
  'read and compile cli.cjs with its code cache',
  "Node's own modules it requires (http, net, os, util, url, zlib)",
  "the script's own top level",
  'station and gateway built, HTTP listening',
];

function phases(dir: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', PHASES, dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`phases: exit ${code}`));
      const r = JSON.parse(out) as { cached: boolean; ms: number[] };
      if (!r.cached) return reject(new Error('phases: V8 refused the code cache'));
      resolve(r.ms);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export default async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  await buildBundle();
  const ways: [string, string[], string?][] = [
    ['npm start (prebuilt bundle) → first GET /status', ['npm', 'start', '--']],
    ['node hosts/node/start.cjs (no npm in front) → first GET /status', ['node', 'hosts/node/start.cjs']],
    ['before: tsx hosts/node/cli.ts (compiled at start) → first GET /status', ['node', '--import', 'tsx', 'hosts/node/cli.ts']],
  ];
  // START_BASELINE=DIR: another checkout (built, `npm install` done), its `npm start` and launcher
  // timed in the same interleaved rounds, so that both see the same load.
  const baseline = process.env.START_BASELINE;
  if (baseline) {
    const launcher = existsSync(join(baseline, 'hosts', 'node', 'start.cjs')) ? 'hosts/node/start.cjs' : 'hosts/node/start.mjs';
    ways.push([`baseline ${baseline}: npm start → first GET /status`, ['npm', 'start', '--'], baseline]);
    ways.push([`baseline ${baseline}: node ${launcher} → first GET /status`, ['node', launcher], baseline]);
  }
  const times = ways.map(() => [] as number[]);
  const cpus = ways.map(() => [] as number[]);
  const npm: number[] = [];
  const npmCpu: number[] = [];
  const node: number[] = [];
  const nodeCpu: number[] = [];
  const phase: number[][] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const load = loadavg()[0];
  try {
    for (let i = 0; i < RUNS; i++) {
      for (let w = 0; w < ways.length; w++) {
        const r = await firstStatus(ways[w][1], join(dir, `s${w}-${i}`), ways[w][2]);
        times[w].push(r.wall);
        cpus[w].push(r.cpu);
      }
      mkdirSync(join(dir, 'empty'), { recursive: true });
      const n = await npmAlone(join(dir, 'empty'));
      npm.push(n.wall);
      npmCpu.push(n.cpu);
      const o = await nodeAlone();
      node.push(o.wall);
      nodeCpu.push(o.cpu);
      (await phases(join(dir, `p-${i}`))).forEach((ms, k) => (phase[k] ??= []).push(ms));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const loads = `load average ${load.toFixed(1)}–${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
  const note = (xs: number[], cpu?: number[]) =>
    `median of ${RUNS}, min ${Math.round(Math.min(...xs))} ms${cpu && !cpu.some(Number.isNaN) ? `; CPU ${median(cpu)} ms median, ${Math.min(...cpu)} min` : ''}; ${loads}`;
  return [
    ...ways.map(([name], w) => ({ name: `start: ${name}`, value: Math.round(median(times[w])), unit: 'ms', note: note(times[w], cpus[w]) })),
    { name: "start: npm's own share (npm start of a script that is `node -e 0`)", value: Math.round(median(npm)), unit: 'ms', note: note(npm, npmCpu) },
    { name: "start: Node's own start (`node -e 0`, spawn to exit)", value: Math.round(median(node)), unit: 'ms', note: note(node, nodeCpu) },
    ...PHASE_NAMES.map((name, k) => ({ name: `start phase: ${name}`, value: Math.round(median(phase[k]) * 10) / 10, unit: 'ms', note: note(phase[k]) })),
  ];
}

// `npx tsx bench/node/start.bench.ts`
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of await run()) console.log(`${r.name.padEnd(72)} ${r.value} ${r.unit} (${r.note})`);
}
