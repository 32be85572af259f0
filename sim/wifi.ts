// A model of the ESP32 Wi-Fi radio for the onboarding policy: networks in
// range with their passwords, a station that takes `joinMs` to get an address
// (or to give up), and the access point's state.

import type { TimerId, Timers } from '../modules/ports';

export interface StationEvents {
  stationUp(address: string): void;
  stationDown(): void;
}

export class SimWifiRadio {
  /** ssid → password of the networks in range. */
  readonly networks = new Map<string, string>();
  accessPointOn = false;
  /** Station connect attempts made. */
  attempts = 0;
  events?: StationEvents;
  readonly #timers: Timers;
  readonly #joinMs: number;
  #pending?: TimerId;
  #joined?: string;

  constructor(options: { timers: Timers; joinMs?: number }) {
    this.#timers = options.timers;
    this.#joinMs = options.joinMs ?? 3000;
  }

  connect(ssid: string, pass: string): void {
    this.attempts++;
    this.#cancel();
    this.#joined = undefined;
    this.#pending = this.#timers.set(() => {
      this.#pending = undefined;
      if (this.networks.get(ssid) === pass) {
        this.#joined = ssid;
        this.events?.stationUp('192.168.1.50');
      } else this.events?.stationDown();
    }, this.#joinMs);
  }

  disconnect(): void {
    this.#cancel();
    this.#joined = undefined;
  }

  accessPoint(on: boolean): void {
    this.accessPointOn = on;
  }

  /** The joined network goes away (router off, out of range). */
  drop(ssid: string): void {
    this.networks.delete(ssid);
    if (this.#joined === ssid) {
      this.#joined = undefined;
      this.events?.stationDown();
    }
  }

  #cancel(): void {
    if (this.#pending !== undefined) this.#timers.clear(this.#pending);
    this.#pending = undefined;
  }
}
