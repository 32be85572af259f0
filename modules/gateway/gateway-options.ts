// What a host hands the gateway: its ports, what it knows of itself, and the
// features to compose.

import type { ByteSink, Clock, HttpResponse, Logger, MqttConnect, Storage, Timers } from '../ports';
import type { FeatureFactory } from './feature';
import type { ScanResult } from './http-api';
import type { HeapInfo, NetworkInfo } from './status';

export interface GatewayInfo {
  /** Device id, 12 hex digits (the MAC on an ESP32). */
  id?: string;
  /** Gateway firmware version (python-openevse-http gates features on it). */
  version?: string;
  buildenv?: string;
  /** Flash size, bytes. */
  espflash?: number;
  /** The host's reset reason (ESP-IDF code) if it knows it. */
  resetReason?: number;
}

/** What the host can tell and do; every member optional. */
export interface SystemPort {
  network?(): NetworkInfo;
  heap?(): HeapInfo;
  scan?(): Promise<ScanResult[]> | ScanResult[];
  /** Reboots the gateway (after the HTTP reply has gone out). */
  restart?(): void;
  apOff?(): void;
  /** New Wi-Fi credentials were saved. */
  joinNetwork?(ssid: string, pass: string): void;
  /**
   * Static files for the dashboard. `gzip`: whether the client accepts gzip; a host with the
   * room to inflate answers the plain page to one that does not (the gateway refuses a
   * gzip-only file to such a client with 406).
   */
  file?(path: string, gzip: boolean): HttpResponse | undefined;
  /** Names the host answers to besides the `hostname` setting (a PC's own name), for the cross-site rule. */
  names?(): string[];
}

export interface GatewayOptions {
  clock: Clock;
  timers: Timers;
  storage: Storage;
  /** To the controller. */
  link: ByteSink;
  mqttConnect?: MqttConnect;
  logger?: Logger;
  info?: GatewayInfo;
  system?: SystemPort;
  /** The features to compose (default: STANDARD_FEATURES). */
  features?: readonly FeatureFactory[];
  /** RAPI reply timeout, ms (500). */
  rapiTimeout?: number;
  /** RAPI sequence ids: "auto" (default) uses them once the controller is seen to echo them. */
  sequenceIds?: boolean | 'auto';
  /** MQTT full-publish period, ms (30 000). */
  mqttPeriod?: number;
  /** `/ws` clients at once (4: the device's figure; the Node host asks for more). */
  wsClients?: number;
  /** `/ws` backlog per client at which it is dropped, bytes (16 KiB). */
  wsBuffer?: number;
  /** Characters kept by /debug and /evse (4096 each). */
  consoleSize?: number;
}

