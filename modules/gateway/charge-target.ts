// Keeps the controller where the claims want it, as OpenEVSE's EvseManager
// does (evse_man.cpp setTargetState): the winning `state` becomes `$FE`, or
// `$FS` (`$FD` when pause_uses_disabled is set, for cars that will not wake
// from sleep); the pilot becomes min(charge_current, max_current, configured
// soft maximum), never below the controller's minimum, written with `$SC n V`
// (volatile: the controller's saved setting stays the user's).
//
// One deliberate difference: OpenEVSE always applies a default state
// ("active"), so a `$FS` typed into /r is undone at once. Here the gateway
// only holds the state while some claim sets it, and restores "active" when
// the last such claim goes; without claims the controller is left alone.

import type { TimerId, Timers } from '../ports';
import type { RapiClient } from './rapi-client';
import { isReply } from './rapi-client';
import type { ClaimState, Claims, EvseProperties } from './claims';
import type { EvseSnapshot } from './evse-snapshot';

const STATE_SLEEPING = 254;
const STATE_DISABLED = 255;

export interface RapiCommand {
  command: string;
  params: (string | number)[];
}

/** "disabled" while the controller sleeps or is disabled, else "active" (OpenEVSE getActiveState). */
export function activeState(s: Readonly<EvseSnapshot>): ClaimState {
  return s.state === STATE_SLEEPING || s.state === STATE_DISABLED ? 'disabled' : 'active';
}

/** The pilot current, A, that `want` asks of a controller in the state `s`; undefined while its limits are unknown. */
export function targetCurrent(want: EvseProperties, s: Readonly<EvseSnapshot>): number | undefined {
  let amps = s.maxCurrentSoft || s.maxCurrentHard;
  if (!(amps > 0)) return undefined;
  if (want.max_current !== undefined && want.max_current < amps) amps = want.max_current;
  if (want.charge_current !== undefined && want.charge_current < amps) amps = want.charge_current;
  if (amps < s.minCurrent) amps = s.minCurrent;
  return amps;
}

/** The RAPI commands that bring the controller to `want`; none while its state is unknown. */
export function commandsFor(want: EvseProperties, s: Readonly<EvseSnapshot>, options: { pauseUsesDisabled: boolean }): RapiCommand[] {
  if (s.state === 0) return [];
  const out: RapiCommand[] = [];
  const amps = targetCurrent(want, s);
  const current: RapiCommand | undefined = amps !== undefined && amps !== s.pilot ? { command: 'SC', params: [amps, 'V'] } : undefined;
  if (want.state !== undefined && want.state !== activeState(s)) {
    const resume = want.state === 'active';
    // The new current goes first when resuming: `$FE` would otherwise offer the old, perhaps higher,
    // pilot for the moment between the two commands (a load-sharing cap must hold at every moment).
    // Written even when the snapshot says it is in force: a heartbeat acknowledgement while asleep
    // restores the controller's configured current, which the snapshot may not show yet.
    if (resume && amps !== undefined) out.push({ command: 'SC', params: [amps, 'V'] });
    out.push({ command: resume ? 'FE' : options.pauseUsesDisabled ? 'FD' : 'FS', params: [] });
    if (!resume && current) out.push(current);
    return out;
  }
  if (current) out.push(current);
  return out;
}

export interface ChargeTargetOptions {
  claims: Claims;
  client: RapiClient;
  snapshot(): Readonly<EvseSnapshot>;
  pauseUsesDisabled(): boolean;
  /** After writes the controller accepted: re-read what they changed (not every controller notifies). */
  written?(commands: RapiCommand[], done: () => void): void;
  log?(line: string): void;
  /**
   * For retries: a write the link lost (timeout, full queue, closed) or one
   * the controller's re-read state does not show is sent again after
   * `retry.first` ms, doubling up to `retry.max` ms, until the controller
   * reports the target. Without timers nothing is retried.
   */
  timers?: Timers;
  retry?: { first: number; max: number };
}

/** One pass of writes: what it writes, and how the controller answered so far. */
interface Pass {
  commands: RapiCommand[];
  key: string;
  claimed: ClaimState | undefined;
  next: number;
  refused: boolean;
  lost: boolean;
}

/** How a caller hears that its job ended: with an error when it threw or was refused by the link. */
type Settle = (error?: unknown) => void;

/** A claims pass waiting to start, and the callers waiting for it to end (none when nobody asked). */
interface WaitingPass {
  always: boolean;
  waiters?: Settle[];
}

/** A write between passes (`between`), and how its caller hears of it. */
interface BetweenWrite {
  write: () => Promise<unknown>;
  resume: boolean;
  settle: Settle;
}

/** A promise's resolving functions as one Settle. */
function settleTo(resolve: () => void, reject: (e: unknown) => void): Settle {
  return (error) => (error === undefined ? resolve() : reject(error));
}

/** Back-off of the retries, ms. */
export const RETRY = { first: 1000, max: 30000 } as const;

export class ChargeTarget {
  readonly #options: ChargeTargetOptions;
  /** The state a claim last held, to restore "active" when it goes. */
  #heldState?: ClaimState;
  /** Commands the controller refused, not retried until something changes. */
  #refused = '';
  /**
   * Passes and writes between them, one at a time, in order: a list of
   * jobs, not a chain of promises (each link of the chain held a promise,
   * its reaction and a closure on the device's heap while the link answered:
   * the ESP32 profile's peaks, docs/moddable.md "Memory").
   */
  #jobs: (WaitingPass | BetweenWrite)[] = [];
  /** A job runs, or the next starts on a later turn. */
  #busy = false;
  /** The pass queued behind the running one, not started yet. */
  #waiting?: WaitingPass;
  #retryTimer?: TimerId;
  #retryMs = 0;
  #stopped = false;

  constructor(options: ChargeTargetOptions) {
    this.#options = options;
  }

  /** What the gateway asks for now: the claims' target, plus "active" once a held state is released. */
  wanted(): EvseProperties {
    const t = this.#options.claims.target().properties;
    if (t.state === undefined && this.#heldState === 'disabled') return { ...t, state: 'active' };
    return t;
  }

  /**
   * A claim was made or released: apply the new target. Resolves (true: the claim's own answer,
   * so the arbiter adds no `.then` of its own) when the controller has answered.
   */
  claimsChanged(): Promise<boolean> {
    this.#refused = '';
    return new Promise<boolean>((resolve, reject) => this.#apply(true, (error) => (error === undefined ? resolve(true) : reject(error))));
  }

  /**
   * The controller changed (state notification, boot, reconnect): hold it to the claims, if any.
   * Nobody waits for this pass, so it makes no promise (one a notification, on the device's heap).
   */
  controllerChanged(): void {
    if (this.#options.claims.size === 0 && this.#heldState === undefined) return;
    this.#apply(false);
  }

  /**
   * Runs `write` between passes (no pass interleaves its writes with it), then a pass. `resume`:
   * the write paused the controller on the gateway's own account, so the pass wakes it unless a
   * claim holds it paused.
   */
  between(write: () => Promise<unknown>, resume = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#enqueue({
        write,
        resume,
        settle: (error) => (error === undefined ? this.#apply(true, settleTo(resolve, reject)) : reject(error)),
      });
    });
  }

  /** No more retries (the gateway stops). */
  stop(): void {
    this.#stopped = true;
    this.#cancelRetry();
  }

  #apply(always: boolean, done?: Settle): void {
    // A pass reads the claims and the controller when it starts, so one still
    // waiting serves a later change too: no second pass behind it (each
    // waiting pass held promises on the device's heap; docs/moddable.md "Memory").
    let pass = this.#waiting;
    if (pass) pass.always ||= always;
    else {
      pass = { always };
      this.#waiting = pass;
      this.#enqueue(pass);
    }
    if (done) (pass.waiters ??= []).push(done);
  }

  #enqueue(job: WaitingPass | BetweenWrite): void {
    this.#jobs.push(job);
    if (this.#busy) return;
    this.#busy = true;
    this.#later();
  }

  /** The next job starts on a later turn (a microtask), as the chain of promises did. */
  #later(): void {
    void Promise.resolve().then(this.#nextJob);
  }

  /** #next bound once, not a closure per turn. */
  readonly #nextJob = (): void => this.#next();

  #next(): void {
    const job = this.#jobs.shift();
    if (!job) {
      this.#busy = false;
      return;
    }
    if ('write' in job) {
      let written: Promise<unknown>;
      try {
        written = job.write();
      } catch (e) {
        written = Promise.reject(e);
      }
      written.then(
        () => {
          if (job.resume) this.#heldState = 'disabled';
          this.#later();
          job.settle();
        },
        (e: unknown) => {
          this.#later();
          job.settle(e ?? new Error('write between passes failed'));
        },
      );
      return;
    }
    if (this.#waiting === job) this.#waiting = undefined;
    // Once only: a pass that throws after it ended must not start the next job twice (two at once).
    let ended = false;
    const done: Settle = (error) => {
      if (ended) return;
      ended = true;
      this.#later();
      if (job.waiters) for (const w of job.waiters) w(error);
    };
    try {
      this.#pass(job.always, done);
    } catch (e) {
      done(e ?? new Error('claims pass failed'));
    }
  }

  // Callbacks, not async functions or promises: a suspended async function holds
  // its frame and two more promises while the link answers, on the ESP32
  // profile's peak path (POST /override → claim → these writes → the re-read).
  #pass(always: boolean, done: () => void): void {
    const o = this.#options;
    this.#cancelRetry();
    if (o.snapshot().state === 0) return done(); // not connected yet; the (re)connect brings us back here
    // Read the claims once: a claim changed while this pass waits on the link queues a pass of its own.
    const claimed = o.claims.target().properties.state;
    const commands = this.#commands();
    const key = JSON.stringify(commands);
    if (!always && key === this.#refused) return done();
    // The writes one after the other by callback, then the pass is settled.
    this.#writeNext({ commands, key, claimed, next: 0, refused: false, lost: false }, done);
  }

  #writeNext(p: Pass, done: () => void): void {
    const o = this.#options;
    if (p.next < p.commands.length) {
      const c = p.commands[p.next++];
      o.client.request(c.command, c.params, 'claims', (r) => {
        // Only the controller's NK is final (until something changes); a write the
        // link lost says nothing about the controller, so it is retried.
        if (!(isReply(r) && r.ok)) {
          if (isReply(r)) p.refused = true;
          else p.lost = true;
          o.log?.(`claims: $${c.command} ${c.params.join(' ')} ${isReply(r) ? 'refused' : r.error}`);
        }
        this.#writeNext(p, done);
      });
      return;
    }
    this.#refused = p.refused ? p.key : '';
    if (p.commands.length && o.written) {
      o.written(p.commands, () => {
        this.#settle(p);
        done();
      });
      return;
    }
    this.#settle(p);
    done();
  }

  #settle(p: Pass): void {
    // Done with the restore once the controller is active again (or there is no claim left to restore from).
    if (!p.refused && !p.lost) this.#heldState = p.claimed;
    // Confirmed only by what the controller reports after the writes: an OK
    // can answer a command that a reboot or a later write has already undone.
    if (p.refused || this.#commands().length === 0) this.#retryMs = 0;
    else this.#scheduleRetry();
  }

  #commands(): RapiCommand[] {
    const o = this.#options;
    return commandsFor(this.wanted(), o.snapshot(), { pauseUsesDisabled: o.pauseUsesDisabled() });
  }

  #scheduleRetry(): void {
    const timers = this.#options.timers;
    if (!timers || this.#stopped) return;
    const backOff = this.#options.retry ?? RETRY;
    this.#retryMs = this.#retryMs === 0 ? backOff.first : Math.min(this.#retryMs * 2, backOff.max);
    this.#retryTimer = timers.set(() => {
      this.#retryTimer = undefined;
      this.#apply(false);
    }, this.#retryMs);
  }

  #cancelRetry(): void {
    if (this.#retryTimer === undefined) return;
    this.#options.timers?.clear(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
