// What a Moddable platform gives main.ts. The manifest maps the module folder
// "hosts/moddable/target/*" to ./esp32 on the device and to ./simulator in the
// desktop simulator (the same depth, so relative imports inside either folder
// resolve the same way), so main.ts never asks which one it runs on, and
// neither build carries the other's modules.

import type { ControllerOptions } from '../../modules/j1772/controller';
import type { ScanResult } from '../../modules/gateway/http-api';
import type { ByteSink, Clock, HttpRequest, HttpResponse, Logger, Storage, Timers } from '../../modules/ports';
import type { Board, UartPins } from './board';
import type { UartLink } from './serial';
import type { PreferenceLike } from './storage';
import type { WsRoute, WsUpgrade } from './ws';

/** The J1772 hardware ports of a board: the controller's options that are hardware. */
export type ControllerHardware = Pick<
  ControllerOptions,
  'pilot' | 'pilotSampler' | 'relay' | 'acSense' | 'gfci' | 'gfciTest' | 'current' | 'temperatures' | 'button'
>;

export interface HardwareEvents {
  /** The GFCI sensor's rising edge. */
  gfciTripped(): void;
  /** A press of the front-panel button. */
  button(): void;
}

/** The gateway's view of the network (the fields of /status). */
export interface NetworkState {
  mode: string;
  wifi_client_connected: 0 | 1;
  eth_connected: 0 | 1;
  ipaddress: string;
  srssi: number;
}

/** One network of GET /scan, as seed 000 lists its fields. */
export type NetworkScanEntry = ScanResult;

export interface NetworkControl {
  start(ssid: string, pass: string): void;
  join(ssid: string, pass: string): void;
  apOff(): void;
  scan(): Promise<NetworkScanEntry[]>;
  state(): NetworkState;
  /** Called each time the station gets an address (time sync, MQTT). */
  onOnline?: () => void;
}

/** The build's `mc/config` values that a platform may override at run time. */
export interface FirmwareSettings {
  role?: string;
  /** HTTP port. */
  http?: string;
  /** Simulator: "charging", "plugged" or "none". */
  ev?: string;
  /** Simulator: the tty of the RAPI link. */
  serial?: string;
  /** "off": no mDNS responder (the simulator's EVSE_MDNS, for measuring what it costs). */
  mdns?: string;
}

export interface SimulationOptions {
  clock: Clock & Timers;
  storage: Storage;
  /** Where the simulated controller's RAPI replies go. */
  output: ByteSink;
  logger: Logger;
  ev?: string;
}

/** The simulated controller, EV and faults (sim/), and their /sim/* HTTP control API. */
export interface Simulation {
  /** RAPI bytes for the simulated controller. */
  receive(bytes: Uint8Array): void;
  /** Answers /sim/* requests; undefined for every other path. */
  http(request: HttpRequest): HttpResponse | undefined;
}

export interface Platform {
  readonly name: string;
  /**
   * Makes an abort of the XS machine (a full heap, an unhandled exception)
   * end the firmware where the host would leave it wedged: the simulator's
   * process exits, as a device restarts. Absent on the ESP32, which restarts.
   */
  exitOnAbort?(): void;
  /** Run-time overrides of the build's settings (the simulator's environment). */
  settings?(): FirmwareSettings;
  /** Where settings persist; the SDK's `preference` module when absent. */
  preference?(): PreferenceLike | undefined;
  /** 12 hex digits identifying this unit (the Wi-Fi MAC on an ESP32). */
  deviceId(preference: PreferenceLike): string;
  /** The board's J1772 ports; undefined where there are no pins. */
  hardware?(board: Board, events: HardwareEvents): ControllerHardware;
  /** The simulated hardware in place of pins: simulator builds only, never a device build. */
  simulation?(options: SimulationOptions): Simulation;
  /** Starts whatever the platform reports about itself while running (the simulator's memory trace). */
  diagnostics?(timers: Timers, logger: Logger): void;
  /** The RAPI UART: the board's pins on a device, a tty (`device`) in the simulator. */
  uart(pins: UartPins, device?: string): UartLink;
  /** The Wi-Fi bring-up; undefined where the host OS owns the network. */
  network?(options: { apSsid: string; apPass: string; clock: Clock & Timers }): NetworkControl;
  /** Where the host OS owns the network: whether this build's socket joins multicast groups (mDNS at boot). */
  multicast?(): boolean;
  /** Sets the clock from SNTP; absent where the host clock is already right. */
  syncTime?(host: string): void;
  restart(): void;
  heap(): { free_heap: number; largest_free_block: number; min_free_heap: number };
  /** Static files (the dashboard), when the build carries them. */
  file?(path: string): HttpResponse | undefined;
  /** `/ws`, where the build carries it (hosts/moddable/ws.ts: the simulator and the ESP32). */
  webSocket?(route: WsRoute): WsUpgrade;
}
