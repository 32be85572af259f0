// The Moddable desktop simulator (mcsim on Linux, macOS, Windows): no pins, so
// the controller runs on the sim/ models with the same /sim/* control API as
// `npm start`; the host OS owns the network and the clock.
//
// One simulator build runs as many instances as wanted: the environment
// overrides the build's mc/config values per process (environment.c):
//   EVSE_ROLE       standalone | gateway | controller
//   EVSE_HTTP_PORT  HTTP port (default 8080)
//   EVSE_SERIAL     tty of the RAPI link in the gateway and controller roles
//   EVSE_EV         charging | plugged | none
//   EVSE_MDNS       off: no mDNS responder (it is on by default: hosts/moddable/mdns.ts)
//   EVSE_STATE_DIR  directory for this instance's preferences and device id
//                   (default: the SDK's /tmp/modpreferences.json, shared by every instance)
//   EVSE_ID         device id, 12 hex digits (default: made up once, kept in the preferences)
//   EVSE_MEMORY_MS  trace the live XS memory after a full collection every so many ms
//                   ("memory: slots=… chunks=… keys=…"; the ESP32 profile test reads it)
//   EVSE_MEMORY_CENSUS=1  with EVSE_MEMORY_MS: at each new peak, what holds the live
//                   slots ("census:" lines on stderr, memory.c)

import type { HttpRequest, HttpResponse, Logger, Timers } from '../../../modules/ports';
import { SimControlApi } from '../../../sim/control-api';
import { SimStation } from '../../../sim/station';
import type { UartPins } from '../board';
import type { FirmwareSettings, Platform, Simulation, SimulationOptions } from '../platform';
import { UartLink } from '../serial';
import type { PreferenceLike } from '../storage';
import { exitOnAbort } from './abort';
import getenv from './environment';
import { FilePreference } from './file-preference';
import liveMemory, { census } from './memory';
import multicast from './multicast';
import { webSocketUpgrade } from '../ws';

function settings(): FirmwareSettings {
  const out: FirmwareSettings = {};
  const pairs: [keyof FirmwareSettings, string][] = [
    ['role', 'EVSE_ROLE'],
    ['http', 'EVSE_HTTP_PORT'],
    ['serial', 'EVSE_SERIAL'],
    ['ev', 'EVSE_EV'],
    ['mdns', 'EVSE_MDNS'],
  ];
  for (const [key, variable] of pairs) {
    const value = getenv(variable);
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** This instance's own preferences file; undefined keeps the SDK's (shared) one. */
function preference(): PreferenceLike | undefined {
  const dir = getenv('EVSE_STATE_DIR');
  if (!dir) return undefined;
  return new FilePreference({ path: (dir.endsWith('/') ? dir : dir + '/') + 'preferences.json' });
}

/** 12 hex digits: EVSE_ID, else one made up at the first start and kept with the settings. */
function deviceId(store: PreferenceLike): string {
  const given = getenv('EVSE_ID');
  if (given !== undefined) {
    if (!/^[0-9a-f]{12}$/.test(given)) throw new Error(`EVSE_ID must be 12 lower-case hex digits, not "${given}"`);
    return given;
  }
  const kept = store.get('evse-sim', 'id');
  if (typeof kept === 'string' && /^[0-9a-f]{12}$/.test(kept)) return kept;
  // XS seeds Math.random the same way in every simulator process (two instances
  // made up the same id and kicked each other off the broker): mix in the clock
  // and where this instance keeps its state.
  const seed = `${getenv('EVSE_STATE_DIR') ?? ''}|${Date.now()}|${Math.random()}`;
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    a = Math.imul(a ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ seed.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  const id = '5e' + (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).slice(0, 10);
  store.set('evse-sim', 'id', id);
  return id;
}

function simulation(options: SimulationOptions): Simulation {
  const station = new SimStation({ clock: options.clock, storage: options.storage, output: options.output, logger: options.logger });
  if (options.ev === 'charging' || options.ev === 'plugged') {
    station.ev.requestCharge(options.ev === 'charging');
    station.ev.plug();
  }
  const api = new SimControlApi(station);
  station.start();
  return {
    receive: (bytes) => station.receive(bytes),
    http: (request: HttpRequest): HttpResponse | undefined => api.handle(request),
  };
}

function diagnostics(timers: Timers, logger: Logger): void {
  const ms = Number(getenv('EVSE_MEMORY_MS') ?? 0);
  if (!(ms > 0)) return;
  // EVSE_MEMORY_CENSUS=1: what holds the slots, each time the live heap reaches a new peak.
  const counting = getenv('EVSE_MEMORY_CENSUS') === '1';
  let peak = 0;
  timers.repeat(() => {
    const [slots, chunks, keys] = liveMemory();
    logger.log(`memory: slots=${slots} chunks=${chunks} keys=${keys}`);
    if (counting && slots > peak) {
      peak = slots;
      census();
    }
  }, ms);
}

export const platform: Platform = {
  name: 'simulator',
  exitOnAbort,
  webSocket: webSocketUpgrade,
  settings,
  preference,
  deviceId,
  simulation,
  diagnostics,
  multicast,
  uart: (pins: UartPins, device?: string) => {
    if (!device) throw new Error('the simulator needs a tty for RAPI: set EVSE_SERIAL (or serial=… in the build)');
    return new UartLink({ device, baud: pins.baud });
  },
  restart: () => {
    throw new Error('restart: quit and relaunch the simulator');
  },
  // The simulator's process heap says nothing about the device's.
  heap: () => ({ free_heap: 0, largest_free_block: 0, min_free_heap: 0 }),
};
