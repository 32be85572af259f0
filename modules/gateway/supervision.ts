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

import type { TimerId, Timers } from '../ports';
import { HEARTBEAT_ACK } from './evse-monitor';
import { isReply, type RapiClient, type RapiResult } from './rapi-client';

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
