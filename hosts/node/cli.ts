// `npm start`: the whole charger on a laptop. By default the simulated
// controller and EV and the gateway run in one process over an in-memory RAPI
// link, HTTP on 127.0.0.1:8080 with the dashboard, and an embedded MQTT broker
// on 1883 that the gateway publishes to. Other roles put a real serial port
// on either side of the link. This file wires hosts to the core and decides
// nothing a charger decides.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Gateway } from '../../modules/gateway/gateway';
import { loadSharingFeature } from '../../modules/gateway/features/load-sharing';
import { dashboard } from './dashboard';
import type { HttpRequest, HttpResponse, Logger, MqttConnect } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { SimControlApi, withSimControl } from '../../sim/control-api';
import { SimStation } from '../../sim/station';
import type { RunningBroker } from './broker';
import { NodeClock } from './clock';
import { FileStorage } from './file-storage';
import { serveHttp, type RunningHttpServer } from './http-server';
import { serveWs } from './ws-server';
import { lazyMqttConnect } from './mqtt-lazy';
import { wsConnect } from './ocpp-socket';
import { ENERGY_FEATURES, FULL_FEATURES } from '../../modules/gateway/features/standard';
import { ocppFeature } from '../../modules/gateway/features/ocpp';
import type { SerialLink } from './serial-link';
import type { NodeServiceDiscovery } from './service-discovery';
import { nodeSystem } from './system';

// serialport, mqtt and aedes take about half a second to load together, so
// they load when used: serialport only with --serial, MQTT after HTTP answers
// (ws, bonjour-service likewise: ws-server.ts, ocpp-socket.ts, below).
let mqttPackage: Promise<MqttConnect> | undefined;
const loadMqtt = () => (mqttPackage ??= import('./mqtt-connect').then((m) => m.mqttConnect));

export type Role = 'standalone' | 'gateway' | 'controller';

export type MqttChoice =
  | { kind: 'embedded'; port: number }
  | { kind: 'external'; url: string }
  | { kind: 'none' };

export interface CliOptions {
  role: Role;
  httpPort: number;
  httpHost: string;
  mqtt: MqttChoice;
  stateDir: string;
  /** Advertise over mDNS (`_openevse._tcp`, `_http._tcp`). */
  mdns?: boolean;
  serial?: string;
  baud: number;
  quiet: boolean;
  /** --ocpp URL and --ocpp-id: the OCPP central system to join (else what /config holds). */
  ocpp?: { server: string; chargeBoxId?: string };
}

export const USAGE = `Usage: npm start -- [options]

  --role standalone|gateway|controller   what runs here (default standalone)
        standalone  simulated controller + EV + gateway, linked in memory
        gateway     the gateway, driving a real controller on --serial
        controller  the simulated controller + EV, answering RAPI on --serial
  --serial PATH        serial port or pseudo-terminal (gateway, controller)
  --baud N             serial speed (default 115200)
  --http-port N        HTTP port (default 8080; 0 picks a free one)
  --http-host ADDR     HTTP address (default 127.0.0.1)
  --mqtt URL           use this broker (mqtt://user:pass@host:port/topic); no embedded broker
  --mqtt-port N        port of the embedded broker (default 1883; 0 picks a free one)
  --no-mqtt            no MQTT at all
  --no-mdns            do not advertise _openevse._tcp / _http._tcp over mDNS
  --ocpp URL           join this OCPP 1.6J central system (ws:// or wss://; sets ocpp_enabled, ocpp_server)
  --ocpp-id ID         the charge box id there (ocpp_chargeBoxId; default the hostname)
  --state-dir DIR      where config, counters and the crash log persist (default ./.state)
  --quiet              no log lines, only the banner
  --help               this text
`;

export class UsageError extends Error {}

function port(name: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`${name} must be a port number 0–65535, not "${value}"`);
  return Number(value);
}

/** Command-line arguments (without node and the script) → options; throws UsageError. */
export function parseCli(argv: string[], cwd = '.'): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string', default: 'standalone' },
        serial: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        'http-port': { type: 'string', default: '8080' },
        'http-host': { type: 'string', default: '127.0.0.1' },
        mqtt: { type: 'string' },
        'mqtt-port': { type: 'string', default: '1883' },
        'no-mqtt': { type: 'boolean', default: false },
        'no-mdns': { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        ocpp: { type: 'string' },
        'ocpp-id': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const role = v.role as string;
  if (role !== 'standalone' && role !== 'gateway' && role !== 'controller') throw new UsageError(`--role must be standalone, gateway or controller, not "${role}"`);
  if (role !== 'standalone' && !v.serial) throw new UsageError(`--role ${role} needs --serial PATH`);
  if (role === 'standalone' && v.serial) throw new UsageError('--serial needs --role gateway or --role controller');
  if (v.mqtt !== undefined && v['no-mqtt']) throw new UsageError('--mqtt and --no-mqtt exclude each other');
  let mqtt: MqttChoice;
  if (v['no-mqtt'] || role === 'controller') mqtt = { kind: 'none' };
  else if (v.mqtt !== undefined) {
    mqttSettings(v.mqtt); // validates
    mqtt = { kind: 'external', url: v.mqtt };
  } else mqtt = { kind: 'embedded', port: port('--mqtt-port', v['mqtt-port'] as string) };
  if (v.ocpp !== undefined && !/^wss?:\/\/\S+$/.test(v.ocpp as string)) throw new UsageError(`--ocpp must be a ws:// or wss:// URL, not "${v.ocpp}"`);
  if (v['ocpp-id'] !== undefined && v.ocpp === undefined) throw new UsageError('--ocpp-id needs --ocpp URL');
  if (v.ocpp !== undefined && role === 'controller') throw new UsageError('--ocpp needs the gateway (--role standalone or gateway)');
  const baud = Number(v.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError(`--baud must be a positive integer, not "${v.baud}"`);
  return {
    role,
    httpPort: port('--http-port', v['http-port'] as string),
    httpHost: v['http-host'] as string,
    mqtt,
    stateDir: resolve(cwd, (v['state-dir'] as string | undefined) ?? '.state'),
    mdns: !v['no-mdns'],
    serial: v.serial as string | undefined,
    baud,
    quiet: v.quiet as boolean,
    ocpp: v.ocpp === undefined ? undefined : { server: v.ocpp as string, chargeBoxId: v['ocpp-id'] as string | undefined },
  };
}

/** mqtt[s]://[user[:pass]@]host[:port][/topic] → the gateway's /config fields. */
export function mqttSettings(url: string): Record<string, string | number | boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--mqtt must be a URL like mqtt://host:1883, not "${url}"`);
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'mqtt' && protocol !== 'mqtts') throw new UsageError(`--mqtt must start with mqtt:// or mqtts://, not "${url}"`);
  const out: Record<string, string | number | boolean> = {
    mqtt_enabled: true,
    mqtt_protocol: protocol,
    mqtt_server: u.hostname.replace(/^\[|\]$/g, ''),
    mqtt_port: u.port ? Number(u.port) : protocol === 'mqtts' ? 8883 : 1883,
  };
  if (u.username) out.mqtt_user = decodeURIComponent(u.username);
  if (u.password) out.mqtt_pass = decodeURIComponent(u.password);
  const topic = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (topic) out.mqtt_topic = topic;
  return out;
}

/** A stable device id for this state directory (an ESP32 uses its MAC). */
async function deviceId(dir: string): Promise<string> {
  const file = join(dir, 'device-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{12}$/.test(id)) return id;
  } catch {
    // first start
  }
  // node:crypto only here, at a first start: loading it costs every start a few ms before /status.
  const { randomBytes } = await import('node:crypto');
  const id = randomBytes(6).toString('hex');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, id + '\n');
  return id;
}

export interface RunningCharger {
  options: CliOptions;
  http: RunningHttpServer;
  broker?: RunningBroker;
  station?: SimStation;
  gateway?: Gateway;
  sim?: SimControlApi;
  /** Lines for the start-up banner. */
  banner(): string[];
  /** Stops everything, state saved; safe to call twice. */
  close(): Promise<void>;
}

function notFound(role: Role): (req: HttpRequest) => Promise<HttpResponse> {
  return () =>
    Promise.resolve({
      status: 404,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ msg: `this is a ${role}: only /sim/... is served here` }),
    });
}

/** Starts the charger described by `options`. */
export async function startCharger(options: CliOptions, logger: Logger = { log: () => {} }): Promise<RunningCharger> {
  const clock = new NodeClock();
  const closers: (() => Promise<void> | void)[] = [];
  let closing: Promise<void> | undefined;
  const cleanup = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        logger.log(`shutdown: ${(e as Error).message}`);
      }
    }
  };
  // Settled once HTTP has answered its first request (or a second after it listens): see below.
  let answered: () => void = () => {};
  const httpFirst = new Promise<void>((resolve) => {
    answered = () => {
      answered = () => {};
      setImmediate(resolve); // after the answer is written
    };
  });
  try {
    let station: SimStation | undefined;
    let gateway: Gateway | undefined;
    let sim: SimControlApi | undefined;
    let broker: RunningBroker | undefined;
    let serial: SerialLink | undefined;
    const tagged = (tag: string): Logger => ({ log: (line) => logger.log(`${tag} ${line}`) });

    if (options.serial) {
      const { SerialLink } = await import('./serial-link');
      serial = await SerialLink.open(options.serial, options.baud);
      closers.push(() => serial!.close());
    }

    // The controller side: the simulated station, on the in-memory link or the serial port.
    let gatewayLink: { write(b: Uint8Array): void; onReceive(r: (b: Uint8Array) => void): void } | undefined = serial;
    if (options.role !== 'gateway') {
      let output: { write(b: Uint8Array): void; onReceive(r: (b: Uint8Array) => void): void };
      if (serial) output = serial;
      else {
        const [gw, ctl] = LinkEnd.pair(clock);
        output = ctl;
        gatewayLink = gw;
      }
      station = new SimStation({ clock, storage: new FileStorage(join(options.stateDir, 'controller')), output, logger: tagged('evse:') });
      output.onReceive((b) => station!.receive(b));
      sim = new SimControlApi(station, { clock });
      station.start();
      closers.push(() => station!.stop());
    }

    let rebooted: ((g: Gateway) => void) | undefined;

    // The gateway side. A restart (POST /restart, /reset) is what a reboot is
    // on the device: the running gateway stops (MQTT says goodbye, state is
    // saved) and a new one starts from storage, on the same link, HTTP port
    // and broker, so every client reconnects to a working charger.
    if (options.role !== 'controller') {
      const link = gatewayLink!;
      // DNS-SD sockets (and the package) only when load sharing asks for them (group_mdns).
      let mdns: NodeServiceDiscovery | undefined;
      const discovery = {
        browse: (onFound: (address: string, txt: Record<string, string>) => void) => {
          let stopped = false;
          let stop = () => {};
          void import('./service-discovery').then((m) => {
            if (stopped) return;
            mdns ??= new m.NodeServiceDiscovery();
            stop = mdns.browse(onFound).stop;
          });
          return {
            stop: () => {
              stopped = true;
              stop();
            },
          };
        },
      };
      closers.push(() => mdns?.destroy());
      const id = await deviceId(options.stateDir);
      const mqttConnect = options.mqtt.kind === 'none' ? undefined : lazyMqttConnect(() => httpFirst.then(loadMqtt));
      let restarts = 0;
      // A reboot of the gateway, as on the device: /restart, /reset and an OCPP Reset all come here;
      // what holds the gateway outside it (mDNS) is told of the new one.
      const restart = (g: Gateway): void => {
        if (closing || gateway !== g) return;
        g.stop();
        restarts++;
        logger.log(`gw: restarting (restart ${restarts} of this process)`);
        boot().then(
          (next) => {
            if (closing) next.stop();
            else rebooted?.(next);
          },
          (e) => logger.log(`gw: restart failed: ${(e as Error).message}`),
        );
      };
      const boot = async (): Promise<Gateway> => {
        const g: Gateway = new Gateway({
          clock,
          timers: clock,
          storage: new FileStorage(join(options.stateDir, 'gateway')),
          link,
          mqttConnect,
          features: [
            ...FULL_FEATURES,
            ...ENERGY_FEATURES,
            ocppFeature({ connect: wsConnect, restart: () => void clock.set(() => restart(g), 1000) }),
            loadSharingFeature({ connect: wsConnect, discovery }),
          ],
          logger: tagged('gw:'),
          info: { id, version: '5.1.0', buildenv: `evse-xs-node-${options.role}` },
          // A PC has the memory for many dashboards and integrations at once.
          wsClients: 64,
          wsBuffer: 256 * 1024,
          system: nodeSystem({
            ipaddress: options.httpHost === '0.0.0.0' ? undefined : options.httpHost,
            file: dashboard,
            restart: () => restart(g),
          }),
        });
        gateway = g;
        // Flags decide the broker at every start, over what /config stored; at
        // the first start the embedded one is not up yet, so nothing connects until it is.
        if (options.mqtt.kind === 'embedded') {
          await g.updateConfig(broker ? { mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: broker.host, mqtt_port: broker.port, mqtt_user: '', mqtt_pass: '' } : { mqtt_enabled: false });
        } else if (options.mqtt.kind === 'external') {
          const r = await g.updateConfig(mqttSettings(options.mqtt.url));
          if (r.status !== 200) throw new UsageError(`--mqtt: ${String(r.body.msg)}`);
        }
        if (options.ocpp) {
          const r = await g.updateConfig({ ocpp_enabled: true, ocpp_server: options.ocpp.server, ...(options.ocpp.chargeBoxId ? { ocpp_chargeBoxId: options.ocpp.chargeBoxId } : {}) });
          if (r.status !== 200) throw new UsageError(`--ocpp: ${String(r.body.msg)}`);
        }
        g.start();
        return g;
      };
      link.onReceive((b) => gateway?.receive(b));
      await boot();
      closers.push(() => gateway!.stop());
    }

    const charger = gateway ? (req: HttpRequest) => gateway!.http(req) : notFound(options.role);
    const guard = gateway ? (req: HttpRequest) => gateway!.guard(req) : undefined;
    const handler = sim ? withSimControl(sim, charger, guard) : charger;
    const http = await serveHttp(
      async (req) => {
        try {
          return await handler(req);
        } finally {
          answered();
        }
      },
      { port: options.httpPort, host: options.httpHost },
    );
    // Loading a package blocks the event loop (the broker and the MQTT client
    // together take ~300 ms on a busy machine): they wait until HTTP has
    // answered its first request, or a second has passed without one.
    setTimeout(() => answered(), 1000).unref();
    closers.push(() => http.close());
    if (gateway) {
      const ws = serveWs(http, () => gateway!);
      closers.push(() => ws.close());
      // The `ws` package (for /ws and OCPP) loads after the first answer too, so a first /ws client rarely waits for it.
      void httpFirst.then(() => ws.preload()).catch((e: Error) => logger.log(`ws: ${e.message}`));
      if (options.mdns) {
        // bonjour-service is one more package to load: after the first answer, like MQTT.
        let mdns: { close(): Promise<void> } | undefined;
        let closed = false;
        let advertise: ((g: Gateway, port: number) => { close(): Promise<void> }) | undefined;
        void httpFirst.then(async () => {
          advertise = (await import('./mdns')).advertise;
          if (!closed) mdns = advertise(gateway!, http.port);
        });
        // A restarted gateway is advertised anew (its hostname may have changed with /reset).
        rebooted = (g) => {
          if (closed || !advertise) return;
          void mdns?.close();
          mdns = advertise(g, http.port);
        };
        closers.push(() => {
          closed = true;
          return mdns?.close();
        });
      }
    }

    // HTTP answers from here on; the embedded broker comes up behind it.
    if (gateway && options.mqtt.kind === 'embedded') {
      await httpFirst;
      const { startBroker } = await import('./broker');
      broker = await startBroker({ port: options.mqtt.port });
      // Closed last, after the gateway has said goodbye to it.
      closers.unshift(() => broker!.close());
      await gateway!.updateConfig({ mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: broker.host, mqtt_port: broker.port, mqtt_user: '', mqtt_pass: '' });
    }

    return {
      options,
      http,
      broker,
      station,
      get gateway() {
        return gateway;
      },
      sim,
      banner: () => banner(options, http, broker, gateway),
      close: () => (closing ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function banner(o: CliOptions, http: RunningHttpServer, broker: RunningBroker | undefined, gateway: Gateway | undefined): string[] {
  const lines = [`evse-xs ${o.role}${o.serial ? ` on ${o.serial} at ${o.baud} baud` : ''}`];
  if (gateway) {
    lines.push(`  dashboard   ${http.url}/`);
    lines.push(`  HTTP API    ${http.url}/status   ${http.url}/config   ${http.url}/r?json=1&rapi=$GS`);
    lines.push(`  WebSocket   ${http.url.replace(/^http/, 'ws')}/ws   (status, then changes as they happen)`);
  }
  if (o.role !== 'gateway') lines.push(`  simulation  ${http.url}/sim/status   (POST /sim/plug, /sim/unplug, /sim/fault/NAME …)`);
  if (gateway) {
    const topic = gateway.config.get('mqtt_topic');
    if (broker) lines.push(`  MQTT        ${broker.url} (embedded broker)`);
    else if (o.mqtt.kind === 'external') lines.push(`  MQTT        ${o.mqtt.url.replace(/\/\/[^@/]*@/, '//')}`);
    else lines.push('  MQTT        off');
    if (o.mqtt.kind !== 'none') {
      lines.push(`  topics      ${topic}/#  (state, amp, pilot, …)   commands: ${topic}/rapi/in/$SC  → ${topic}/rapi/out`);
      lines.push(`  announce    ${gateway.config.get('mqtt_announce_topic')}`);
    }
  }
  lines.push(`  state       ${o.stateDir}`);
  lines.push('  Ctrl-C stops it, state saved.');
  return lines;
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv, process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const quiet = options.quiet;
  const logger: Logger = { log: (line) => quiet || process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`) };
  let charger: RunningCharger;
  try {
    charger = await startCharger(options, logger);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') process.stderr.write(`port in use: ${err.message}. Try --http-port 0, --mqtt-port 0 or --no-mqtt.\n`);
    else process.stderr.write(`could not start: ${err.message}\n`);
    return 1;
  }
  process.stdout.write(charger.banner().join('\n') + '\n');
  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping, saving state…\n`);
      // A second Ctrl-C while saving leaves at once.
      process.once('SIGINT', () => done(130));
      charger.close().then(() => done(0), () => done(1));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('uncaughtException', (e) => {
      process.stderr.write(`crash: ${e.stack ?? e.message}\n`);
      charger.close().finally(() => done(1));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
