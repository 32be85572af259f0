// What the gateway knows about the controller, and how it keeps that fresh:
// the probe ($GV), the settings read after a connect or a `$AB` boot, the
// heartbeat set-up ($SY interval current; `Supervision` in supervision.ts pulses), and the
// poll schedule. Async `$AT` frames update the state at once.
//
// The schedule runs on a 1 s tick. Each tick sends at
// most one poll (spread over a 30 s cycle), plus `$GG` while charging, and
// skips polling while earlier polls are still unanswered, so the link carries
// a few frames a second at most and people's commands (which go first in the
// client's queue) never wait behind a backlog of polls.

import type { Clock, TimerId, Timers } from '../ports';
import type { AsyncType } from '../rapi/message';
import { emptySnapshot, STATE_CHARGING, type EvseSnapshot } from './evse-snapshot';
import { isReply, type RapiClient, type RapiResult } from './rapi-client';

/** Temperature sensors report this when absent (tenths of °C). */
const ABSENT_TEMPERATURE = -2560;

/** What $AT reports (and `amp`, which it zeroes outside charging). */
const NOTIFIED: readonly (keyof EvseSnapshot)[] = ['state', 'pilotState', 'pilot', 'vflags', 'amp'];

/** OpenEVSE fault states: 4 (vent required) to 14 (relay closure). */
function isFault(state: number): boolean {
  return state >= 4 && state <= 0x0e;
}

/** The 30 s poll cycle: which command goes out in which second. */
const SLOW_POLLS: Record<number, string> = { 0: 'GS', 5: 'GU', 10: 'GP', 15: 'GF', 20: 'GE', 25: 'GC' };

export interface EvseMonitorOptions {
  client: RapiClient;
  clock: Clock;
  timers: Timers;
  /** Heartbeat supervision to request; interval 0 leaves it off. Read at each (re)connect. */
  heartbeat(): { interval: number; current: number };
  /** Fields that changed, and why ("at" for an `$AT`, "poll", "boot", "connect"). */
  onChange?(changed: Partial<EvseSnapshot>, reason: string): void;
  /** Controller booted (`$AB`). */
  onBoot?(params: string[]): void;
  /** Other async frames: `$AN` button, `$WF` Wi-Fi mode request. */
  onEvent?(type: AsyncType, params: string[]): void;
  /** Link came up (settings read) or went down. */
  onLink?(up: boolean): void;
  log?(line: string): void;
  /** Tick period, ms (1000). */
  tick?: number;
}

function hex(text: string | undefined): number {
  const n = text !== undefined && /^[0-9a-fA-F]+$/.test(text) ? parseInt(text, 16) : NaN;
  return n;
}

function dec(text: string | undefined): number {
  return text !== undefined && /^-?\d+$/.test(text) ? parseInt(text, 10) : NaN;
}

/** Major version of a "5.2.1" string; 0 when unknown. */
function major(version: string): number {
  const m = /^(\d+)/.exec(version);
  return m ? Number(m[1]) : 0;
}

export class EvseMonitor {
  readonly #client: RapiClient;
  readonly #timers: Timers;
  readonly #options: EvseMonitorOptions;
  readonly #tickMs: number;
  #snapshot: EvseSnapshot = emptySnapshot();
  #timer?: TimerId;
  #ticks = 0;
  /** Settings have been read since the link last came up. */
  #ready = false;
  #reading = false;
  /** A boot came during a read: what was read may predate it, so read again after. */
  #bootDuringRead = false;
  /** Counts state notifications ($AT, $ST), to tell a poll reply that may be older than one. */
  #notified = 0;
  /** While folding such a reply: the fields the notification reported, which it must not overwrite. */
  #fresher = false;
  /** Polls written or queued and not yet answered. */
  #outstanding = 0;
  #pending: Partial<EvseSnapshot> = {};
  /**
   * A `Supervision` (supervision.ts) pulses and recovers instead of this tick: only when a feature needs
   * supervision (load sharing), so the firmware, which has none, holds no more than it did.
   */
  supervised = false;

  constructor(options: EvseMonitorOptions) {
    this.#client = options.client;
    this.#timers = options.timers;
    this.#options = options;
    this.#tickMs = options.tick ?? 1000;
  }

  get snapshot(): Readonly<EvseSnapshot> {
    return this.#snapshot;
  }

  /** The controller answered the probe and its settings were read. */
  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.repeat(() => this.#tick(), this.#tickMs);
    void this.#connect('connect');
  }

  stop(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  /** The client's async frames go here. */
  handleAsync(type: AsyncType, params: string[]): void {
    if (type === 'AT') {
      // $AT evse(hex) pilot(hex) amps(dec) vflags(hex)
      const state = hex(params[0]);
      const previous = this.#snapshot.state;
      this.#setNumber('state', state);
      const pilotState = hex(params[1]);
      this.#setNumber('pilotState', pilotState);
      const amps = dec(params[2]);
      this.#setNumber('pilot', amps);
      const vflags = hex(params[3]);
      this.#setNumber('vflags', vflags);
      if (state !== STATE_CHARGING) this.#set('amp', 0);
      this.#notified++;
      this.#emit('at');
      // Read at once what the transition changed, rather than at its slot in
      // the 30 s cycle: a fault bumps a trip counter, the end of a charge
      // fixes the session's energy.
      // On a turn of their own: a notification arrives deep in the stack (the
      // link → the parser → here → telemetry), and a read on top of it was the
      // deepest path of the ESP32 profile (docs/moddable.md, "Memory").
      if (this.#ready && state !== previous) {
        if (isFault(state)) void Promise.resolve().then(() => this.#poll('GF'));
        if (previous === STATE_CHARGING) void Promise.resolve().then(() => this.#poll('GU'));
      }
    } else if (type === 'AB') {
      // The controller rebooted: its volatile settings (heartbeat, $SV) are gone.
      this.#options.log?.(`controller boot: ${params.join(' ')}`);
      this.#options.onBoot?.(params);
      this.#ready = false;
      // A turn of its own, as the reads above.
      void Promise.resolve().then(() => this.#connect('boot'));
    } else if (type === 'ST' && params.length === 1) {
      // Pre-5.0 state notification.
      const state = hex(params[0]);
      this.#setNumber('state', state);
      this.#notified++;
      this.#emit('at');
    } else {
      this.#options.onEvent?.(type, params);
    }
  }

  /** Reads these now (e.g. `GS`, `GE` after a write changed them); resolves when answered. */
  read(...commands: string[]): Promise<void> {
    return new Promise((resolve) => this.readThen(commands, resolve));
  }

  /**
   * `read` by callback, one command after the other: the claims pass re-reads
   * through it after its writes, on the ESP32 profile's peak path, where a
   * promise per command held about 30 slots (docs/moddable.md, "Memory").
   */
  readThen(commands: readonly string[], done: () => void, i = 0): void {
    if (i >= commands.length) return done();
    this.#pollThen(commands[i], [], () => this.readThen(commands, done, i + 1));
  }

  /** Reads everything now (after a reconnect of the UART, or on request). */
  refresh(): Promise<boolean> {
    return this.#connect('connect');
  }

  async #connect(reason: string): Promise<boolean> {
    if (this.#reading) {
      if (reason === 'boot') this.#bootDuringRead = true;
      return false;
    }
    this.#reading = true;
    try {
      const gv = await this.#poll('GV');
      if (!gv) return false;
      const hb = this.#options.heartbeat();
      // Setting it clears a miss from before we (re)connected; `Supervision` keeps it set and pulses.
      if (hb.interval > 0) await this.#poll('SY', [hb.interval, hb.current]);
      for (const cmd of ['GE', 'GC', 'GA', 'GF', 'GU', 'GP', 'GS', 'GG']) await this.#poll(cmd);
      // Read before a boot that came meanwhile: not ready on that; the read after it (finally) decides.
      if (this.#bootDuringRead) return false;
      const wasReady = this.#ready;
      this.#ready = this.#client.connected;
      // Even with nothing new: after a boot the claims must be applied again, and the
      // reads may already have reported the rebooted values under "poll".
      this.#emit(reason, true);
      if (this.#ready && !wasReady) this.#options.onLink?.(true);
      return this.#ready;
    } finally {
      this.#reading = false;
      if (this.#bootDuringRead) {
        this.#bootDuringRead = false;
        void this.#connect('boot');
      }
    }
  }

  #tick(): void {
    if (!this.#client.connected || !this.#ready) {
      if (this.#ready) {
        this.#ready = false;
        this.#options.onLink?.(false);
      }
      // Probe once per tick until the controller answers, then re-read everything.
      if (!this.#reading) void this.#connect('connect');
      return;
    }
    const n = this.#ticks++;
    if (!this.supervised && this.#options.heartbeat().interval > 0) this.#pollThen('SY', []);
    if (this.#outstanding > 2) return; // the link is behind; do not pile up
    if (this.#snapshot.state === STATE_CHARGING) this.#pollThen('GG', []);
    // One slow poll per tick, spread over 30 s; while charging also the
    // session time ($GS) every 5 s and the energy ($GU) every 10 s.
    const slot = n % 30;
    const charging = this.#snapshot.state === STATE_CHARGING;
    const slow = SLOW_POLLS[slot];
    if (slow) this.#pollThen(slow, []);
    if (charging && slow !== 'GS' && slot % 5 === 0) this.#pollThen('GS', []);
    if (charging && slow !== 'GU' && slot % 10 === 5) this.#pollThen('GU', []);
    // Temperature decides the throttle while charging: every 10 s then.
    if (charging && slow !== 'GP' && slot % 10 === 0) this.#pollThen('GP', []);
    this.#emit('poll');
  }

  /** Sends a poll-priority command, folds the reply into the snapshot, returns its params. */
  #poll(command: string, params: (string | number)[] = []): Promise<string[] | undefined> {
    return new Promise((resolve) => this.#pollThen(command, params, resolve));
  }

  /**
   * `#poll` without a promise, for the tick's polls that nothing waits on
   * (a promise and its reaction per poll in flight held about 30 slots on the
   * device's heap). The reply is folded as it arrives: an `$AT` before it in
   * the same bytes has counted in `#notified` (the fold does not undo it), one
   * after it is applied after it.
   */
  #pollThen(command: string, params: (string | number)[], then?: (p: string[] | undefined) => void): void {
    this.#outstanding++;
    const notified = this.#notified;
    this.#client.request(command, params, 'poll', (r) => {
      this.#outstanding--;
      const p = this.#answered(command, params, r, notified);
      then?.(p);
    });
  }

  #answered(command: string, params: (string | number)[], r: RapiResult, notified: number): string[] | undefined {
    if (!isReply(r) || !r.ok) return undefined;
    // The reply is folded as it arrives. An $AT that came after the command
    // was sent is at least as new (every later change brings its own $AT), so
    // the reply must not undo it, e.g. a "$GS 00" read during a $FE leaving
    // the state unknown for good; one later in the same bytes is applied after.
    this.#fresher = this.#notified !== notified;
    try {
      this.#fold(command, params, r.params);
    } finally {
      this.#fresher = false;
    }
    this.#emit('poll');
    return r.params;
  }

  #fold(command: string, sent: (string | number)[], p: string[]): void {
    switch (command) {
      case 'GV':
        if (p[0] !== undefined) this.#set('firmware', p[0]);
        if (p[1] !== undefined) this.#set('protocol', p[1]);
        break;
      case 'GS': {
        // $GS state elapsed pilotstate vflags; state is decimal before RAPI 5.0.
        const protocolMajor = major(this.#snapshot.protocol);
        const state = protocolMajor !== 0 && protocolMajor < 5 ? dec(p[0]) : hex(p[0]);
        this.#setNumber('state', state);
        const elapsed = dec(p[1]);
        this.#setNumber('elapsed', elapsed);
        const pilotState = hex(p[2]);
        this.#setNumber('pilotState', pilotState);
        const vflags = hex(p[3]);
        this.#setNumber('vflags', vflags);
        if (state !== STATE_CHARGING) this.#set('amp', 0);
        break;
      }
      case 'GE': {
        const amps = dec(p[0]);
        this.#setNumber('pilot', amps);
        const flags = hex(p[1]);
        this.#setNumber('flags', flags);
        break;
      }
      case 'GC': {
        // $GC min hwmax pilot cfgmax
        const v = p.map(dec);
        this.#setNumber('minCurrent', v[0]);
        this.#setNumber('maxCurrentHard', v[1]);
        this.#setNumber('pilot', v[2]);
        this.#setNumber('maxCurrentSoft', v[3]);
        break;
      }
      case 'GA': {
        const v = p.map(dec);
        this.#setNumber('scale', v[0]);
        this.#setNumber('offset', v[1]);
        break;
      }
      case 'GF': {
        // Trip counters are hex.
        const v = p.map(hex);
        this.#setNumber('gfciCount', v[0]);
        this.#setNumber('noGroundCount', v[1]);
        this.#setNumber('stuckCount', v[2]);
        break;
      }
      case 'GG': {
        const ma = dec(p[0]);
        if (Number.isFinite(ma)) this.#set('amp', Math.max(0, ma));
        const mv = dec(p[1]);
        if (Number.isFinite(mv) && mv > 0) this.#set('voltageMv', mv);
        break;
      }
      case 'GP': {
        const temps = [0, 1, 2].map((i) => {
          const t = dec(p[i]);
          return Number.isFinite(t) && t !== ABSENT_TEMPERATURE ? t : null;
        });
        if (temps.some((t, i) => t !== this.#snapshot.temps[i])) this.#set('temps', temps);
        break;
      }
      case 'GU': {
        const ws = dec(p[0]);
        this.#setNumber('wattsec', ws);
        const wh = dec(p[1]);
        this.#setNumber('whTotal', wh);
        break;
      }
      case 'SY': {
        // Every $SY form answers "interval amps trigger".
        const v = p.map(dec);
        this.#setNumber('heartbeatInterval', v[0]);
        this.#setNumber('heartbeatCurrent', v[1]);
        this.#setNumber('heartbeatTrigger', v[2]);
        if (!this.supervised && sent.length === 0 && v[2] === 2) {
          // A pulse was missed (the link stalled); say we are back so full current returns.
          void this.#poll('SY', [HEARTBEAT_ACK]);
        }
        break;
      }
    }
  }

  /** Sets a numeric field, ignoring a field the reply left out or garbled (NaN). */
  #setNumber<K extends { [F in keyof EvseSnapshot]: EvseSnapshot[F] extends number ? F : never }[keyof EvseSnapshot]>(key: K, value: number): void {
    if (Number.isFinite(value)) this.#set(key, value as EvseSnapshot[K]);
  }

  #set<K extends keyof EvseSnapshot>(key: K, value: EvseSnapshot[K]): void {
    if (this.#fresher && NOTIFIED.includes(key)) return;
    if (this.#snapshot[key] === value) return;
    this.#snapshot[key] = value;
    this.#pending[key] = value;
  }

  #emit(reason: string, always = false): void {
    const changed = this.#pending;
    if (!always && Object.keys(changed).length === 0) return;
    this.#pending = {};
    this.#options.onChange?.(changed, reason);
  }
}

/** `$SY 165` (0xA5) acknowledges a missed pulse. */
export const HEARTBEAT_ACK = 165;
