// When the access point is on. The station joins the saved network; the
// access point (OpenEVSE_XXXX, 192.168.4.1, where /scan and /savenetwork
// work) comes up when no network is saved, or when the station has not got an
// address within `joinTimeoutMs` of starting or of losing its connection, and
// goes off `apLingerMs` after the station connects (so a phone on the access
// point still sees the result) or on /apoff. While disconnected the station
// retries every `retryMs`.
//
// Events in (method calls from the Wi-Fi adapter and the gateway's SystemPort),
// commands out to a WifiRadio. Portable: no SDK import.

import type { Clock, TimerId, Timers } from '../../modules/ports';

export interface WifiRadio {
  /** Starts (or restarts) joining a network; the outcome arrives as stationUp/stationDown. */
  connect(ssid: string, pass: string): void;
  disconnect(): void;
  accessPoint(on: boolean): void;
}

export type WifiMode = 'STA' | 'AP' | 'STA+AP';

export interface OnboardingOptions {
  radio: WifiRadio;
  timers: Timers;
  clock: Clock;
  joinTimeoutMs?: number;
  apLingerMs?: number;
  retryMs?: number;
}

export class Onboarding {
  readonly #radio: WifiRadio;
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #joinTimeout: number;
  readonly #linger: number;
  readonly #retry: number;
  #ssid = '';
  #pass = '';
  #connected = false;
  #ap = false;
  #address = '';
  #joinTimer?: TimerId;
  #retryTimer?: TimerId;
  #lingerTimer?: TimerId;
  /** Monotonic time of the last connection, for logs and status. */
  connectedAt?: number;

  constructor(options: OnboardingOptions) {
    this.#radio = options.radio;
    this.#timers = options.timers;
    this.#clock = options.clock;
    this.#joinTimeout = options.joinTimeoutMs ?? 30000;
    this.#linger = options.apLingerMs ?? 60000;
    this.#retry = options.retryMs ?? 10000;
  }

  get mode(): WifiMode {
    return this.#ap ? (this.#ssid ? 'STA+AP' : 'AP') : 'STA';
  }

  get connected(): boolean {
    return this.#connected;
  }

  get accessPoint(): boolean {
    return this.#ap;
  }

  /** The station's address, "" while not connected. */
  get address(): string {
    return this.#connected ? this.#address : '';
  }

  /** Boot, with the saved credentials ("" when none). */
  start(ssid: string, pass: string): void {
    this.join(ssid, pass);
  }

  /** New credentials (/savenetwork, /config) or the saved ones at boot. */
  join(ssid: string, pass: string): void {
    this.#ssid = ssid;
    this.#pass = pass;
    this.#clearTimers();
    if (this.#connected) {
      this.#connected = false;
      this.#radio.disconnect();
    }
    if (!ssid) return this.#setAp(true);
    this.#radio.connect(ssid, pass);
    this.#armJoinTimeout();
  }

  stationUp(address: string): void {
    this.#connected = true;
    this.#address = address;
    this.connectedAt = this.#clock.now();
    this.#clear('join');
    this.#clear('retry');
    if (this.#ap && this.#lingerTimer === undefined) {
      this.#lingerTimer = this.#timers.set(() => {
        this.#lingerTimer = undefined;
        if (this.#connected) this.#setAp(false);
      }, this.#linger);
    }
  }

  stationDown(): void {
    const was = this.#connected;
    this.#connected = false;
    this.#clear('linger');
    if (!this.#ssid) return;
    if (was || this.#joinTimer === undefined) this.#armJoinTimeout();
    if (this.#retryTimer === undefined) {
      this.#retryTimer = this.#timers.set(() => {
        this.#retryTimer = undefined;
        if (!this.#connected && this.#ssid) this.#radio.connect(this.#ssid, this.#pass);
      }, this.#retry);
    }
  }

  /** /apoff: the access point goes off now (the gateway already waited for the reply to go out). */
  apOff(): void {
    this.#clear('linger');
    this.#setAp(false);
  }

  #armJoinTimeout(): void {
    this.#clear('join');
    this.#joinTimer = this.#timers.set(() => {
      this.#joinTimer = undefined;
      if (!this.#connected) this.#setAp(true);
    }, this.#joinTimeout);
  }

  #setAp(on: boolean): void {
    if (this.#ap === on) return;
    this.#ap = on;
    this.#radio.accessPoint(on);
  }

  #clear(which: 'join' | 'retry' | 'linger'): void {
    const id = which === 'join' ? this.#joinTimer : which === 'retry' ? this.#retryTimer : this.#lingerTimer;
    if (id !== undefined) this.#timers.clear(id);
    if (which === 'join') this.#joinTimer = undefined;
    else if (which === 'retry') this.#retryTimer = undefined;
    else this.#lingerTimer = undefined;
  }

  #clearTimers(): void {
    this.#clear('join');
    this.#clear('retry');
    this.#clear('linger');
  }
}
