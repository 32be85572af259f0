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
import { CommandProcessor } from './modules/j1772/command-processor';
import { EvseController } from './modules/j1772/controller';
import { Gateway } from './modules/gateway/gateway';
import { webPage } from './modules/gateway/web-page';
import type { ByteSink, Clock, Logger, Storage, Timers } from './modules/ports';
import { LinkEnd } from './modules/rapi/link';
import { SimStation } from './sim/station';
import { boards, devkit, type Board } from './hosts/moddable/board';
import { ModdableClock } from './hosts/moddable/clock';
import { ModdableHttpServer } from './hosts/moddable/http';
import { TraceLogger } from './hosts/moddable/logger';
import { moddableMqtt } from './hosts/moddable/mqtt';
import { PreferenceStorage } from './hosts/moddable/storage';

export type Role = 'standalone' | 'gateway' | 'controller';

interface FirmwareConfig {
  role?: string;
  board?: string;
  /** HTTP port (80 on the device; the simulator defaults to 8080). */
  http?: number | string;
  /** Simulator only: "charging" plugs in an EV that asks for charge, "plugged", or "none". */
  ev?: string;
  /** Wi-Fi network to join when none has been saved through onboarding. */
  ssid?: string;
  password?: string;
  /** Access point passphrase for onboarding (seed 000 calls it "openevse"). */
  ap_pass?: string;
  version?: string;
}

const settings = config as FirmwareConfig;

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

/** The J1772 controller on this platform's pins, answering RAPI on `output`; returns where RAPI bytes in go. */
function startController(clock: Clock & Timers, board: Board, output: ByteSink, logger: Logger): (bytes: Uint8Array) => void {
  const storage = new PreferenceStorage({ preference: Preference, domain: 'evse-ctl' });
  if (platform.hardwareKind === 'sim' || !platform.hardware) {
    const station = new SimStation({ clock, storage, output, logger });
    if (settings.ev === 'charging' || settings.ev === 'plugged') {
      station.ev.requestCharge(settings.ev === 'charging');
      station.ev.plug();
    }
    station.start();
    return (bytes) => station.receive(bytes);
  }
  let controller: EvseController | undefined;
  const hardware = platform.hardware(board, {
    gfciTripped: () => controller?.gfciTripped(),
    button: () => controller?.button(),
  });
  controller = new EvseController({ ...hardware, ...board.pacing, clock, timers: clock, storage, logger });
  const rapi = new CommandProcessor({ controller, output, clock });
  controller.start();
  return (bytes) => rapi.receive(bytes);
}

function startGateway(clock: Clock & Timers, link: ByteSink, logger: Logger): Gateway {
  const storage: Storage = new PreferenceStorage({ preference: Preference, domain: 'evse-gw' });
  const id = platform.deviceId();
  const net = platform.network?.({ apSsid: `OpenEVSE_${id.slice(-6)}`, apPass: settings.ap_pass ?? 'openevse', clock });
  const gateway: Gateway = new Gateway({
    clock,
    timers: clock,
    storage,
    link,
    mqttConnect: moddableMqtt(),
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
      // The dashboard is in flash with the firmware; a platform may serve more files first.
      file: (path) => platform.file?.(path) ?? webPage(path),
    },
  });
  if (net) {
    net.onOnline = () => platform.syncTime?.(gateway.config.get('sntp_hostname'));
    net.start(gateway.config.get('ssid') || (settings.ssid ?? ''), gateway.config.get('pass') || (settings.password ?? ''));
  }
  const port = Number(settings.http ?? (platform.name === 'simulator' ? 8080 : 80));
  new ModdableHttpServer({ port, handler: (request) => gateway.http(request), logger });
  gateway.start();
  return gateway;
}

export default function main(): void {
  const role = roleOf(settings.role);
  const board = boardOf(settings.board);
  const clock = new ModdableClock();
  const logger = new TraceLogger();
  logger.log(`evse: ${role} on ${platform.name} (${platform.hardwareKind === 'pins' ? board.name : 'simulated hardware'})`);

  if (role === 'standalone') {
    const [gatewayEnd, controllerEnd] = LinkEnd.pair(clock);
    const toController = startController(clock, board, controllerEnd, logger);
    controllerEnd.onReceive(toController);
    const gateway = startGateway(clock, gatewayEnd, logger);
    gatewayEnd.onReceive((bytes) => gateway.receive(bytes));
    return;
  }
  const uart = platform.uart(board.rapi);
  if (role === 'controller') {
    uart.onReceive(startController(clock, board, uart, logger));
  } else {
    const gateway = startGateway(clock, uart, logger);
    uart.onReceive((bytes) => gateway.receive(bytes));
  }
}
