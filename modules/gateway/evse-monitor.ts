// What the gateway knows about the controller, and how it keeps that fresh:
// the probe ($GV), the settings read after a connect or a `$AB` boot, the
// heartbeat set-up ($SY interval current; `Supervision` below pulses), and the
// poll schedule. Async `$AT` frames update the state at once.
//
// The schedule runs on a 1 s tick. Each tick sends at
// most one poll (spread over a 30 s cycle), plus `$GG` while charging, and
// skips polling while earlier polls are still unanswered, so the link carries
// a few frames a second at most and people's commands (which go first in the
// client's queue) never wait behind a backlog of polls.

import type { Clock, TimerId, Timers } from '../ports';
import type { AsyncType } from '../rapi/message';
import { isReply, type RapiClient, type RapiResult } from './rapi-client';

/** Temperature sensors report this when absent (tenths of °C). */
const ABSENT_TEMPERATURE = -2560;

export interface EvseSnapshot {
  /** Controller firmware and RAPI protocol from `$GV`; "" until known. */
  firmware: string;
  protocol: string;
  /** EVSE state code (1 A, 2 B, 3 C, 4 D … 254 sleeping, 255 disabled); 0 unknown. */
  state: number;
  /** Session charge time, s. */
  elapsed: number;
  pilotState: number;
  /** Volatile flags of `$GS`/`$AT` (0x0100 EV connected, 0x0040 relay closed …). */
  vflags: number;
  /** Advertised pilot current, A. */
  pilot: number;
  /** Persistent ECF flags of `$GE` (0x0001 L2, 0x0002 diode check off …). */
  flags: number;
  minCurrent: number;
  /** Hardware maximum current, A (`$GC` token 2). */
  maxCurrentHard: number;
  /** Configured maximum current, A (`$GC` token 4). */
  maxCurrentSoft: number;
  scale: number;
  offset: number;
  /** Measured current, mA (`$GG`). */
  amp: number;
  /** Voltage the controller computes energy with, mV (`$GG`); 0 if unknown. */
  voltageMv: number;
  /** `$GP`: DS3231, MCP9808, TMP007 in tenths of °C; null when absent. */
  temps: (number | null)[];
  /** Session energy, watt-seconds (`$GU`). */
  wattsec: number;
  /** Lifetime energy, Wh (`$GU`). */
  whTotal: number;
  gfciCount: number;
  noGroundCount: number;
  stuckCount: number;
  heartbeatInterval: number;
  heartbeatCurrent: number;
  /** 0 never missed, 1 missed and acknowledged, 2 missed and not acknowledged. */
  heartbeatTrigger: number;
}

export function emptySnapshot(): EvseSnapshot {
  return {
    firmware: '',
    protocol: '',
    state: 0,
    elapsed: 0,
    pilotState: 0,
    vflags: 0,
    pilot: 0,
    flags: 0,
    minCurrent: 6,
    maxCurrentHard: 0,
    maxCurrentSoft: 0,
    scale: 0,
    offset: 0,
    amp: 0,
    voltageMv: 0,
    temps: [null, null, null],
    wattsec: 0,
    whTotal: 0,
    gfciCount: 0,
    noGroundCount: 0,
    stuckCount: 0,
    heartbeatInterval: 0,
    heartbeatCurrent: 0,
    heartbeatTrigger: 0,
  };
}

export const STATE_CHARGING = 3;
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
   * A `Supervision` (below) pulses and recovers instead of this tick: only when a feature needs
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

// ---------------------------------------------------------------------------
// The gateway's side of the controller's heartbeat supervision (`$SY`,
// reference/openevse.md §2.13): it keeps the controller set to the
// supervision the gateway wants (`$SY interval current`), pulses (`$SY`)
// often enough that a live gateway never misses, and when a pulse was missed
// (the reply's trigger is 2: the gateway stalled, or the link did) it
// recovers through the gateway, which decides what must happen around the
// acknowledgement (`$SY 165`): the controller restores its configured
// current on it, which a load-sharing member must not offer.
//
// Pulses go out at a quarter of the interval, at most once a second (OpenEVSE's
// gateway: `$SY 5 6` and a pulse a second), so a live gateway misses only
// when it stops for three quarters of the interval.
//
// Here rather than in a file of its own: every module the firmware imports must be
// preloaded by name in manifest.json (test/node/moddable/firmware.test.ts).

/** `$SY 165` (0xA5) acknowledges a missed pulse. */
export const HEARTBEAT_ACK = 165;
/** The reply's trigger when a pulse was missed and not yet acknowledged. */
const MISSED = 2;

export interface HeartbeatSetting {
  /** s, 0 = off. */
  interval: number;
  /** A the controller falls back to on a miss (our controller: under 6 A it sleeps). */
  current: number;
}

export interface SupervisionOptions {
  client: RapiClient;
  timers: Timers;
  /** What the controller should be set to, read at every beat. */
  wanted(): HeartbeatSetting;
  /** Whether the controller answers (the monitor has read it). */
  ready(): boolean;
  /** A pulse was missed: run `acknowledge` (it sends `$SY 165`) with whatever must surround it. */
  recover(acknowledge: () => Promise<unknown>): Promise<void>;
  log?(line: string): void;
}

/** ms between pulses for an interval of `interval` s: a quarter of it, 100 … 1000 ms. */
export function pulsePeriod(interval: number): number {
  return interval > 0 ? Math.max(100, Math.min(1000, Math.floor((interval * 1000) / 4))) : 1000;
}

const NO_PARAMS: number[] = [];

// No async functions here: a pulse is in flight most of the time, and each level of async would hold
// a suspended frame and its promises on the device (docs/moddable.md, "Memory").
export class Supervision {
  readonly #o: SupervisionOptions;
  #timer?: TimerId;
  #period = 0;
  /** The controller's setting as its last `$SY` reply said; −1 until one came. */
  #interval = -1;
  #current = -1;
  #busy = false;
  #want: HeartbeatSetting = { interval: 0, current: 0 };

  constructor(options: SupervisionOptions) {
    this.#o = options;
  }

  start(): void {
    this.#schedule(pulsePeriod(this.#o.wanted().interval));
  }

  stop(): void {
    if (this.#timer !== undefined) this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  /** The controller (re)booted or reconnected: its setting is read again from the next reply. */
  forget(): void {
    this.#interval = -1;
  }

  /**
   * Called at every beat, and at once when the wanted setting may have changed. A pulse first
   * whenever the controller supervises: setting it anew would clear a miss unseen (and leave a
   * controller asleep that only the recovery wakes); then the setting, if it differs.
   */
  beat(): void {
    const want = (this.#want = this.#o.wanted());
    const period = pulsePeriod(want.interval);
    if (period !== this.#period && this.#timer !== undefined) this.#schedule(period);
    if (this.#busy || !this.#o.ready()) return;
    this.#busy = true;
    const sent = this.#interval > 0 ? this.#o.client.send('SY', NO_PARAMS, 'poll').then(this.#pulsed) : this.#configure();
    sent.then(this.#idle, this.#failed);
  }

  readonly #idle = (): void => {
    this.#busy = false;
  };

  readonly #failed = (e: unknown): void => {
    this.#busy = false;
    this.#o.log?.(`heartbeat: ${e instanceof Error ? e.message : String(e)}`);
  };

  /** A pulse answered: a miss is recovered, else the setting is corrected if it differs. */
  readonly #pulsed = (r: RapiResult): Promise<unknown> => {
    if (this.#read(r) !== MISSED) return this.#configure();
    this.#o.log?.(`heartbeat: the controller missed our pulse (${this.#interval} s): recovering`);
    return this.#o.recover(this.#acknowledge);
  };

  readonly #acknowledge = (): Promise<RapiResult> => this.#o.client.send('SY', [HEARTBEAT_ACK], 'claims');

  #configure(): Promise<unknown> {
    const want = this.#want;
    const known = this.#interval >= 0;
    if (known ? this.#interval === want.interval && this.#current === want.current : want.interval <= 0) return Promise.resolve();
    return this.#o.client.send('SY', [want.interval, want.current], 'poll').then(this.#read);
  }

  /** `$OK|$NK interval amps trigger` (a refused pulse still says why): the setting noted, the trigger returned. */
  readonly #read = (r: RapiResult): number => {
    if (!isReply(r) || r.params.length < 3) return 0;
    this.#interval = parseInt(r.params[0], 10);
    this.#current = parseInt(r.params[1], 10);
    return parseInt(r.params[2], 10);
  };

  #schedule(period: number): void {
    if (this.#timer !== undefined) this.#o.timers.clear(this.#timer);
    this.#period = period;
    this.#timer = this.#o.timers.repeat(() => this.beat(), period);
  }
}

/** The strictest of the gateway's own setting and the features' needs: the shortest interval in force, and with it the lowest current. */
export function strictest(own: HeartbeatSetting, needs: readonly (HeartbeatSetting | undefined)[]): HeartbeatSetting {
  let out = own;
  for (const n of needs) {
    if (!n || n.interval <= 0) continue;
    out = out.interval > 0 ? { interval: Math.min(out.interval, n.interval), current: Math.min(out.current, n.current) } : n;
  }
  return out;
}
