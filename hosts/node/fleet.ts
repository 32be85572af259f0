// `npm run fleet -- --chargers N [--csms URL] [--duration S]`: N simulated
// chargers in one process, each the whole charger as `npm start` runs it (a
// simulated controller and EV, the gateway over an in-memory RAPI link, its
// own OCPP connection), against a central system: the project's own
// schema-validating one (started as a separate process, so its work does not
// count as the chargers'), or a real one (SteVe, CitrineOS) by URL. EVs
// arrive and leave at random (seeded). Reports messages per second, CPU and
// memory per charger, and the central system's view.

import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Gateway } from '../../modules/gateway/gateway';
import { ocppFeature } from '../../modules/gateway/features/ocpp';
import { STANDARD_FEATURES } from '../../modules/gateway/features/standard';
import type { ChargePoint } from '../../modules/ocpp/charge-point';
import { LinkEnd } from '../../modules/rapi/link';
import { MemoryStorage } from '../../sim/memory-storage';
import { mulberry32 } from '../../sim/random';
import { SimStation } from '../../sim/station';
import { NodeClock } from './clock';
import type { CsmsView } from './csms';
import { wsConnect } from './ocpp-socket';

interface FleetOptions {
  chargers: number;
  csms?: string;
  password?: string;
  duration: number;
  ramp: number;
  sample: number;
  seed: number;
}

interface Charger {
  station: SimStation;
  gateway: Gateway;
  cp?: ChargePoint;
  timer?: NodeJS.Timeout;
}


function options(argv: string[]): FleetOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      chargers: { type: 'string' },
      csms: { type: 'string' },
      password: { type: 'string' },
      duration: { type: 'string', default: '60' },
      ramp: { type: 'string' },
      sample: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
    },
  });
  const n = Number(values.chargers);
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error('--chargers N (1–5000) is required');
  if (values.csms !== undefined && !/^wss?:\/\/\S+$/.test(values.csms)) throw new Error(`--csms must be a ws:// or wss:// URL, not "${values.csms}"`);
  const num = (name: string, v: string | undefined, min: number): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return x;
  };
  return {
    chargers: n,
    csms: values.csms,
    password: values.password,
    duration: num('duration', values.duration, 1),
    ramp: num('ramp', values.ramp ?? String(Math.min(20, Math.ceil(n / 25))), 0),
    sample: num('sample', values.sample, 0),
    seed: num('seed', values.seed, 0),
  };
}

/** Starts the project's central system as a child process; resolves with its URL and a reader of its latest view. */
async function startCsms(password?: string): Promise<{ url: string; view: () => CsmsView | undefined; proc: ChildProcess }> {
  const script = fileURLToPath(new URL('./csms.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0', ...(password ? ['--password', password] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last: CsmsView | undefined;
  let buffer = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`csms exited with ${code}`)));
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^csms (\S+)\/<chargeBoxId>$/.exec(line);
        if (m) resolve(m[1]);
        if (line.startsWith('view ')) last = JSON.parse(line.slice(5)) as CsmsView;
      }
    });
  });
  return { url, view: () => last, proc };
}

function makeCharger(i: number, url: string, o: FleetOptions, clock: NodeClock): Charger {
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  ctl.onReceive((b) => station.receive(b));
  const id = (0x100000 + i).toString(16).padStart(12, '0');
  const charger: Partial<Charger> = { station };
  const ocpp = ocppFeature({
    connect: wsConnect,
    onChargePoint: (cp) => {
      charger.cp = cp;
      if (cp && o.sample > 0) cp.config.change('MeterValueSampleInterval', String(o.sample));
    },
  });
  const gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: gw, features: [...STANDARD_FEATURES, ocpp], info: { id, version: '5.1.0' } });
  gw.onReceive((b) => gateway.receive(b));
  const r = gateway.config.update({ ocpp_enabled: true, ocpp_server: url, ocpp_chargeBoxId: `fleet-${i}`, ocpp_authkey: o.password ?? '', ocpp_suspend_evse: true, ocpp_energize_plug: true });
  if (!r.ok) throw new Error(r.error);
  charger.gateway = gateway;
  return charger as Charger;
}

/** EVs come and go: plugged 20–60 s, away 5–20 s. */
function drive(c: Charger, rnd: () => number): void {
  const next = (): void => {
    const plugged = c.station.ev.plugged;
    if (plugged) c.station.ev.unplug();
    else c.station.ev.plug();
    c.timer = setTimeout(next, (plugged ? 5 + 15 * rnd() : 20 + 40 * rnd()) * 1000);
  };
  c.timer = setTimeout(next, 1000 + 10000 * rnd());
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const clock = new NodeClock();
  const csms = o.csms ? undefined : await startCsms(o.password);
  const url = o.csms ?? csms!.url;
  gc();
  const mem0 = process.memoryUsage();
  const rnd = mulberry32(o.seed);
  const chargers: Charger[] = [];
  const started = Date.now();
  for (let i = 0; i < o.chargers; i++) {
    const c = makeCharger(i, url, o, clock);
    chargers.push(c);
    c.station.start();
    c.gateway.start();
    drive(c, rnd);
    if (o.ramp > 0) await new Promise((r) => setTimeout(r, (o.ramp * 1000) / o.chargers));
  }
  const connected = () => chargers.filter((c) => c.cp?.connected).length;
  for (let t = 0; connected() < o.chargers && t < 300; t++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`fleet: ${connected()}/${o.chargers} chargers connected to ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await new Promise((r) => setTimeout(r, 5000)); // settle: boots and first statuses
  const frames = () => chargers.reduce((s, c) => { const f = c.cp?.frames ?? { in: 0, out: 0 }; return { in: s.in + f.in, out: s.out + f.out }; }, { in: 0, out: 0 });
  const f0 = frames();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.duration * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const f1 = frames();
  gc();
  const mem1 = process.memoryUsage();
  const txs = chargers.filter((c) => c.cp?.transactions.open).length;
  const queued = chargers.reduce((s, c) => s + (c.cp?.queue.size ?? 0), 0);
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / seconds) * 100;
  const report = {
    chargers: o.chargers,
    connected: connected(),
    seconds: Math.round(seconds),
    messages_per_s: Math.round(((f1.in - f0.in + f1.out - f0.out) / seconds) * 10) / 10,
    cpu_pct_of_one_core: Math.round(cpuPct * 10) / 10,
    cpu_ms_per_charger_per_s: Math.round((cpuPct * 10 / o.chargers) * 100) / 100,
    heap_kb_per_charger: Math.round((mem1.heapUsed - mem0.heapUsed) / 1024 / o.chargers),
    rss_kb_per_charger: Math.round((mem1.rss - mem0.rss) / 1024 / o.chargers),
    open_transactions: txs,
    queued_messages: queued,
    csms: csms?.view(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.stdout.write(
    `| ${o.chargers} | ${report.connected} | ${report.messages_per_s} | ${report.cpu_pct_of_one_core} % | ${report.cpu_ms_per_charger_per_s} ms/s | ${report.heap_kb_per_charger} KB | ${report.rss_kb_per_charger} KB | ${csms?.view() ? `${csms.view()!.connected} connected, ${csms.view()!.starts} starts, ${csms.view()!.stops} stops, ${csms.view()!.schema_failures} schema failures` : 'n/a'} |\n`,
  );
  for (const c of chargers) {
    clearTimeout(c.timer);
    c.gateway.stop();
    c.station.stop();
  }
  if (csms) {
    csms.proc.kill('SIGTERM');
    await new Promise((r) => csms.proc.once('exit', r));
  }
  process.exit(report.connected === o.chargers && (csms?.view()?.schema_failures ?? 0) === 0 ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`fleet: ${(e as Error).message}\n`);
  process.exit(2);
});
