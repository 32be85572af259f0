// Firmware entry for Moddable: picks the role from the build config, wires the
// platform's host adapters into the portable core, and starts it.
//
//   role=standalone  the J1772 controller and the gateway in one XS machine,
//                    joined by an in-memory byte link (default)
//   role=gateway     the gateway only, RAPI over the board's UART to an
//                    external controller (an OpenEVSE board, or ours)
//   role=controller  the J1772 controller only, answering RAPI on the UART
//
// e.g. `mcconfig -d -m -p esp32/nodemcu role=gateway`. In the desktop
// simulator the controller's hardware is the sim/ models (SimStation).

import config from 'mc/config';
import Preference from 'preference';
import { platform } from 'hosts/moddable/target/platform';
import { features } from 'hosts/moddable/target/features';
import { CommandProcessor } from './modules/j1772/command-processor';
import { EvseController } from './modules/j1772/controller';
import { Gateway } from './modules/gateway/gateway';
import type { ByteSink, Clock, HttpRequest, HttpResponse, Logger, Storage, Timers } from './modules/ports';
import { LinkEnd } from './modules/rapi/link';
import { boards, devkit, type Board } from './hosts/moddable/board';
import { ModdableClock } from './hosts/moddable/clock';
import { dashboard } from './hosts/moddable/dashboard';
import { ModdableHttpServer } from './hosts/moddable/http';
import { DnsSd } from './hosts/moddable/mdns';
import { TraceLogger } from './hosts/moddable/logger';
import { moddableMqtt } from './hosts/moddable/mqtt';
import type { FirmwareSettings, Simulation } from './hosts/moddable/platform';
import { PreferenceStorage, type PreferenceLike } from './hosts/moddable/storage';
import type { WsRoute, WsUpgrade } from './hosts/moddable/ws';

export type Role = 'standalone' | 'gateway' | 'controller';

interface FirmwareConfig extends FirmwareSettings {
  board?: string;
  /** Wi-Fi network to join when none has been saved through onboarding. */
  ssid?: string;
  password?: string;
  /** Access point passphrase for onboarding (seed 000 calls it "openevse"). */
  ap_pass?: string;
  version?: string;
}

// First: an abort from here on (a full heap above all) must end the firmware visibly, never leave it silent.
platform.exitOnAbort?.();

/** Build settings (mc/config), then what the platform overrides at run time (the simulator's environment). */
const settings: FirmwareConfig = { ...(config as FirmwareConfig), ...platform.settings?.() };

/** Lowest free system heap seen by /status (main.ts is the one module not preloaded, so state lives here). */
let minFreeHeap: number | undefined;

function roleOf(value: string | undefined): Role {
  if (value === undefined || value === '') return 'standalone';
  if (value === 'standalone' || value === 'gateway' || value === 'controller') return value;
  throw new Error(`unknown role "${value}": use standalone, gateway or controller`);
}

function boardOf(name: string | undefined): Board {
  if (!name) return devkit;
  const board = boards[name];
  if (!board) throw new Error(`unknown board "${name}"`);
  return board;
}

function httpPort(): number {
  const port = Number(settings.http ?? (platform.simulation ? 8080 : 80));
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`HTTP port must be 1–65535, not "${settings.http}"`);
  return port;
}

interface Controller {
  /** Where RAPI bytes for the controller go. */
  receive(bytes: Uint8Array): void;
  /** The /sim/* API when the hardware is simulated. */
  simulation?: Simulation;
}

/** The J1772 controller on this platform's pins (or the simulator's models), answering RAPI on `output`. */
function startController(clock: Clock & Timers, board: Board, output: ByteSink, logger: Logger, preference: PreferenceLike): Controller {
  const storage = new PreferenceStorage({ preference, domain: 'evse-ctl' });
  if (platform.simulation) {
    const simulation = platform.simulation({ clock, storage, output, logger, ev: settings.ev ?? 'charging' });
    return { receive: (bytes) => simulation.receive(bytes), simulation };
  }
  if (!platform.hardware) throw new Error(`${platform.name} has neither pins nor a simulation`);
  let controller: EvseController | undefined;
  const hardware = platform.hardware(board, {
    gfciTripped: () => controller?.gfciTripped(),
    button: () => controller?.button(),
  });
  controller = new EvseController({ ...hardware, ...board.pacing, clock, timers: clock, storage, logger });
  const rapi = new CommandProcessor({ controller, output, clock });
  controller.start();
  return { receive: (bytes) => rapi.receive(bytes) };
}

type Router = (request: HttpRequest) => Promise<HttpResponse>;

/** The simulation API in front of the charger's routes (the same order as `npm start`). */
function withSimulation(simulation: Simulation | undefined, next: Router): Router {
  if (!simulation) return next;
  return (request) => {
    const mine = simulation.http(request);
    return mine ? Promise.resolve(mine) : next(request);
  };
}

/** The dashboard from flash resources in front of the gateway's routes (it needs the request's Accept-Encoding). */
function withDashboard(next: Router): Router {
  return (request) => {
    const page = dashboard(request);
    return page ? Promise.resolve(page) : next(request);
  };
}

/** `/ws` where the platform serves it: the gateway decides the handshake and keeps the sessions (4 clients, the hub's default). */
function wsRoute(gateway: Gateway): WsRoute {
  return { handshake: (request) => gateway.wsHandshake(request), open: (peer) => gateway.ws.open(peer) };
}

function notFound(role: Role): Router {
  const body = JSON.stringify({ msg: `this is a ${role}: only /sim/... is served here` });
  return () => Promise.resolve({ status: 404, headers: { 'Content-Type': 'application/json' }, body });
}

function startGateway(clock: Clock & Timers, link: ByteSink, logger: Logger, preference: PreferenceLike, role: 'standalone' | 'gateway'): Gateway {
  const storage: Storage = new PreferenceStorage({ preference, domain: 'evse-gw' });
  const id = platform.deviceId(preference);
  const net = platform.network?.({ apSsid: `OpenEVSE_${id.slice(-6)}`, apPass: settings.ap_pass ?? 'openevse', clock });
  const gateway: Gateway = new Gateway({
    clock,
    timers: clock,
    storage,
    link,
    mqttConnect: moddableMqtt({ clock, timers: clock }),
    // by role: the gateway role has room for more than the standalone one (docs/moddable.md, "Features by role")
    features: features[role],
    // /debug and /evse keep 1 KB each here (4 KB on Node): they are strings and
    // arrays in the 78 KB chunk heap, measured by the ESP32 memory profile.
    consoleSize: 1024,
    // /ws: 4 clients (the hub's default); a client's backlog, counted with what each queued
    // message costs the heap (hosts/moddable/ws.ts), is dropped past 4 KiB, not 16: the
    // status document is 1.3 KB here, and four slow clients must not take the heap.
    wsBuffer: 4096,
    logger,
    info: { id, version: settings.version, buildenv: `moddable-${platform.name}` },
    system: {
      network: net ? () => net.state() : undefined,
      heap: () => {
        const heap = platform.heap();
        if (heap.free_heap > 0 && (minFreeHeap === undefined || heap.free_heap < minFreeHeap)) minFreeHeap = heap.free_heap;
        return { ...heap, min_free_heap: minFreeHeap ?? 0 };
      },
      scan: net ? () => net.scan() : undefined,
      restart: () => platform.restart(),
      apOff: net ? () => net.apOff() : undefined,
      joinNetwork: net ? (ssid, pass) => net.join(ssid, pass) : undefined,
      // Static files a platform has; the dashboard is served ahead of the gateway (withDashboard).
      file: (path) => platform.file?.(path),
    },
  });
  // _openevse._tcp and _http._tcp under the hostname, as OpenEVSE advertises them (load-sharing
  // peers browse for it; docs/moddable.md, "Network: MQTT and names").
  const dnsSd = new DnsSd({ gateway, port: httpPort(), logger });
  if (net) {
    net.onOnline = () => {
      platform.syncTime?.(gateway.config.get('sntp_hostname'));
      dnsSd.start();
    };
    net.start(gateway.config.get('ssid') || (settings.ssid ?? ''), gateway.config.get('pass') || (settings.password ?? ''));
  }
  gateway.start();
  // Where the host OS owns the network (the simulator) it has its addresses already; its
  // socket needs the multicast that tools/simulator-socket.mjs gives the Linux one.
  if (!net && settings.mdns !== 'off') {
    if (platform.multicast?.()) dnsSd.start();
    else logger.log(`mdns: not started: ${platform.name} socket without multicast (docs/moddable.md, "Network: MQTT and names")`);
  }
  return gateway;
}

export default function main(): void {
  const role = roleOf(settings.role);
  const board = boardOf(settings.board);
  const clock = new ModdableClock();
  const logger = new TraceLogger();
  const preference = platform.preference?.() ?? (Preference as unknown as PreferenceLike);
  const hardware = role === 'gateway' ? `RAPI on ${settings.serial ?? `UART${board.rapi.port}`}` : platform.simulation ? 'simulated hardware' : board.name;
  logger.log(`evse: ${role} on ${platform.name} (${hardware})`);
  platform.diagnostics?.(clock, logger);

  let router: Router;
  let ws: WsUpgrade | undefined;
  if (role === 'standalone') {
    const [gatewayEnd, controllerEnd] = LinkEnd.pair(clock);
    const controller = startController(clock, board, controllerEnd, logger, preference);
    controllerEnd.onReceive((bytes) => controller.receive(bytes));
    const gateway = startGateway(clock, gatewayEnd, logger, preference, 'standalone');
    gatewayEnd.onReceive((bytes) => gateway.receive(bytes));
    router = withSimulation(controller.simulation, withDashboard((request) => gateway.http(request)));
    ws = platform.webSocket?.(wsRoute(gateway));
  } else {
    const uart = platform.uart(board.rapi, settings.serial);
    if (role === 'controller') {
      const controller = startController(clock, board, uart, logger, preference);
      uart.onReceive((bytes) => controller.receive(bytes));
      // A controller on pins has no network of its own; a simulated one serves /sim/* as `npm start` does.
      if (!controller.simulation) return;
      router = withSimulation(controller.simulation, notFound(role));
    } else {
      const gateway = startGateway(clock, uart, logger, preference, 'gateway');
      uart.onReceive((bytes) => gateway.receive(bytes));
      router = withDashboard((request) => gateway.http(request));
      ws = platform.webSocket?.(wsRoute(gateway));
    }
  }
  const port = httpPort();
  new ModdableHttpServer({ port, handler: router, logger, ws });
  logger.log(`http: listening on port ${port}`);
}
