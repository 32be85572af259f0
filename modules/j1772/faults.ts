// The controller's faults as data: for each fault state, how it is latched,
// how it ranks against the others, how long the relay may stay closed after
// it, which persistent counter and volatile flag record it, and which `$FF`
// feature bit turns its check off. The controller looks faults up here
// instead of carrying one `if` per fault; the retry policy shared by GFCI and
// no-ground lives here too.
//
// Precedence (docs/safety.md, "Fault precedence"): a standing fault is
// replaced only by one that is stronger, compared first by latch (permanent >
// unplug > retry) and then by rank. The latch in force never weakens: a new
// fault cannot clear or shorten it, and a weaker one still opens the relay and
// is counted, but leaves the stronger fault standing.

import { EvseState, Feature, VFlag } from './evse-state';
import type { PilotMode } from './offer';

/**
 * How a fault ends.
 * - retry: the controller tries again after the retry delay, a limited number of times, then as `unplug`.
 * - unplug: latched until the EV is unplugged (or a power cycle).
 * - permanent: latched until power cycle (UL: a welded contactor must not be reused).
 */
export type Latch = 'retry' | 'unplug' | 'permanent';

/** Latch strengths: 0 is "no fault standing". A standing latch is only ever replaced by a stronger one. */
export const LATCH_STRENGTH: Readonly<Record<Latch | 'none', number>> = Object.freeze({ none: 0, retry: 1, unplug: 2, permanent: 3 });

/** The persistent trip counters reported by `$GF`. */
export type TripCounter = 'gfciTrips' | 'noGroundTrips' | 'stuckRelayTrips';

export interface FaultSpec {
  readonly state: number;
  readonly latch: Latch;
  /** Among faults of equal latch, the higher rank is the one shown (and whose retry runs). */
  readonly rank: number;
  /** Grace before the relay opens, so the EV can stop drawing first (0: at once). Ends early when the EV leaves C. */
  readonly relayDelayMs: number;
  /** The `$GE` bit that disables the check (undefined: cannot be disabled). */
  readonly feature?: number;
  readonly counter?: TripCounter;
  /** A volatile flag raised with the fault and kept until power-cycle. */
  readonly vflag?: number;
}

/**
 * The fault table. Ranks, strongest first: stuck relay (the contactor cannot
 * be trusted), GFCI (current through a person), GFCI self test (no proof of
 * protection), no ground, over-current, over-temperature, diode, vent.
 */
export const FAULTS: Readonly<Record<number, FaultSpec>> = Object.freeze({
  [EvseState.StuckRelay]: { state: EvseState.StuckRelay, latch: 'permanent', rank: 8, relayDelayMs: 0, feature: Feature.StuckRelayCheckDisabled, counter: 'stuckRelayTrips' },
  [EvseState.GfciFault]: { state: EvseState.GfciFault, latch: 'retry', rank: 7, relayDelayMs: 0, counter: 'gfciTrips', vflag: VFlag.GfciTripped },
  [EvseState.GfciTestFailed]: { state: EvseState.GfciTestFailed, latch: 'unplug', rank: 6, relayDelayMs: 0, feature: Feature.GfciSelfTestDisabled },
  [EvseState.NoGround]: { state: EvseState.NoGround, latch: 'retry', rank: 5, relayDelayMs: 0, feature: Feature.GroundCheckDisabled, counter: 'noGroundTrips', vflag: VFlag.NoGroundTripped },
  [EvseState.OverCurrent]: { state: EvseState.OverCurrent, latch: 'unplug', rank: 4, relayDelayMs: 1000, feature: Feature.OverCurrentCheckDisabled },
  [EvseState.OverTemperature]: { state: EvseState.OverTemperature, latch: 'unplug', rank: 3, relayDelayMs: 5000, feature: Feature.TemperatureCheckDisabled },
  [EvseState.DiodeCheckFailed]: { state: EvseState.DiodeCheckFailed, latch: 'unplug', rank: 2, relayDelayMs: 0, feature: Feature.DiodeCheckDisabled },
  [EvseState.D]: { state: EvseState.D, latch: 'unplug', rank: 1, relayDelayMs: 0, feature: Feature.VentCheckDisabled },
});

/** What ends each latch (the storm invariants check that nothing else does). */
export const LATCH_CLEARED_BY: Readonly<Record<Latch, readonly ('retry' | 'unplug' | 'power-cycle')[]>> = Object.freeze({
  retry: ['retry', 'unplug', 'power-cycle'],
  unplug: ['unplug', 'power-cycle'],
  permanent: ['power-cycle'],
});

/**
 * True when fault `next`, latched as `nextLatch`, may replace the standing
 * fault `standing` latched as `standingLatch`: a stronger latch, or an equal
 * latch and a higher rank. The same fault never replaces itself.
 */
export function mayReplace(next: number, nextLatch: Latch, standing: number, standingLatch: Latch | 'none'): boolean {
  if (standing === 0 || standingLatch === 'none') return true;
  if (next === standing) return false;
  const a = LATCH_STRENGTH[nextLatch];
  const b = LATCH_STRENGTH[standingLatch];
  return a > b || (a === b && FAULTS[next].rank > (FAULTS[standing]?.rank ?? 0));
}

/** A fault this soon after the relay closed is latched until unplug, whatever its kind (UL 2231). */
export const EARLY_FAULT_MS = 2000;

/**
 * GFCI and no-ground retry policy. UL 2231-2 guidance: wait at least 15 min,
 * at most 4 automatic re-closes, then lock out (OpenEVSE: 5 min × 6). Why we
 * chose UL's numbers is in docs/safety.md.
 */
export const RETRY_DELAY_MS = 15 * 60_000;
export const RETRY_COUNT = 4;

/** Trip counters saturate here, as OpenEVSE's one-byte EEPROM cells do. */
export const MAX_TRIPS = 254;

export type RetryDecision = 'wait' | 'retry' | 'lockout';

/**
 * Counts automatic retries of `retry` faults. The count survives the attempt
 * and is cleared only by unplugging (or power-cycle), so a fault that keeps
 * coming back ends in lock-out: OpenEVSE resets it on each new GFCI fault,
 * which never exhausts it.
 */
export class RetryPolicy {
  readonly delayMs: number;
  readonly count: number;
  #retries = 0;

  constructor(options: { delayMs?: number; count?: number } = {}) {
    this.delayMs = options.delayMs ?? RETRY_DELAY_MS;
    this.count = options.count ?? RETRY_COUNT;
    if (!(this.delayMs >= 0) || !Number.isInteger(this.count) || this.count < 0) throw new RangeError('retry delay and count must be ≥ 0');
  }

  get retries(): number {
    return this.#retries;
  }

  /** Called on each tick while a `retry` fault stands, with the time it has stood. */
  decide(faultedMs: number): RetryDecision {
    if (faultedMs < this.delayMs) return 'wait';
    if (this.#retries >= this.count) return 'lockout';
    this.#retries++;
    return 'retry';
  }

  /** The EV was unplugged (or the controller restarted): the next EV starts afresh. */
  reset(): void {
    this.#retries = 0;
  }
}

/** The latch of a fault raised at `now`, given when the relay last closed (-1: never). */
export function latchFor(spec: FaultSpec, now: number, closedAt: number): Latch {
  if (spec.latch === 'retry' && closedAt >= 0 && now - closedAt < EARLY_FAULT_MS) return 'unplug';
  return spec.latch;
}

/**
 * What the periodic checks look at, gathered once per control tick, and what
 * else the tick reads on every pass (the self test's and the pilot's mode):
 * each field is kept by its owner or filled in by the tick.
 */
export interface Sense {
  now: number;
  relayClosed: boolean;
  /** When the relay last opened or closed, ms. */
  relayChangedAt: number;
  /** A delayed opening is pending (the relay is closed on purpose after a fault). */
  relayOpening: boolean;
  /** AC-sense lines that carry voltage, 0–2. */
  liveLines: number;
  /** The controller is in state C. */
  charging: boolean;
  /** Measured current, mA. */
  milliamps: number;
  /** The current the pilot offers, A. */
  offeredAmps: number;
  /** The GFCI sensor's level, read with the relay closed and no self test running (false otherwise). */
  gfci: boolean;
  /** The thermal level (temperature.ts `Thermal`). */
  thermal: number;
  /** A GFCI self test runs (gfci.ts keeps it): its trip edge is the test's, and the level check waits. */
  selfTesting: boolean;
  /** What the pilot generator does (offer.ts keeps it): the tick reads it without a call. */
  pilotMode: PilotMode;
}

/**
 * A Sense at rest (relay open, nothing measured). The controller makes one and
 * hands it to the relay, the offer and the charging current, which keep their
 * fields of it current as they change (they keep their state there, not in a
 * copy), so the tick fills in only the rest.
 */
export function restingSense(): Sense {
  return {
    now: 0, relayClosed: false, relayChangedAt: 0, relayOpening: false, liveLines: 0, charging: false, milliamps: 0, offeredAmps: 0, gfci: false, thermal: 0,
    selfTesting: false, pilotMode: 'high',
  };
}

/** One periodic check: true when its fault condition has been met. */
export interface SafetyCheck {
  /** The fault state it raises (a key of FAULTS). */
  readonly fault: number;
  evaluate(sense: Sense): boolean;
  /** Forget any half-timed condition (check disabled, state changed). */
  reset(): void;
}

/**
 * Checks asked as one: the fault of the first that fails, or 0. Checks whose
 * `$GE` disable bit is set in `flags` are not asked, and forget any
 * half-timed condition as they drop out.
 */
export interface CheckSet {
  evaluate(sense: Sense, flags: number): number;
  /** Forget every half-timed condition (the relay is about to close). */
  reset(): void;
}

/**
 * A list of check objects asked in order: the definition a faster set is
 * held to (periodic-checks.ts is the controller's five in one pass).
 */
export class CheckList implements CheckSet {
  readonly #checks: readonly SafetyCheck[];
  /** Each check's `$GE` disable bit (0: cannot be disabled), looked up once. */
  readonly #disableBits: readonly number[];
  /** The checks asked for the flags last seen (-1: not yet worked out). */
  #active: SafetyCheck[] = [];
  #activeFlags = -1;

  constructor(checks: readonly SafetyCheck[]) {
    this.#checks = checks;
    this.#disableBits = checks.map((c) => FAULTS[c.fault].feature ?? 0);
  }

  evaluate(sense: Sense, flags: number): number {
    // The checks in force are listed again only when the flags change. A
    // disabled check is reset as it drops out and not asked while it stays
    // out, so it comes back as fresh as one reset on every tick would.
    if (flags !== this.#activeFlags) this.#activate(flags);
    const active = this.#active;
    const n = active.length;
    for (let i = 0; i < n; i++) {
      const check = active[i];
      if (check.evaluate(sense)) return check.fault;
    }
    return 0;
  }

  #activate(flags: number): void {
    const checks = this.#checks;
    const bits = this.#disableBits;
    this.#active = [];
    for (let i = 0; i < checks.length; i++) {
      if ((flags & bits[i]) !== 0) checks[i].reset();
      else this.#active.push(checks[i]);
    }
    this.#activeFlags = flags;
  }

  reset(): void {
    for (let i = 0; i < this.#checks.length; i++) this.#checks[i].reset();
  }
}

/** How a standing fault is latched: `none` retries (or no fault stands), the others wait for unplug or a power cycle. */
export type HardFault = 'none' | 'unplug' | 'permanent';

/** What a tick in a fault state comes to: keep waiting, the EV was unplugged, a retry is due, or retries are used up. */
export type FaultStep = 'wait' | 'unplugged' | 'retry' | 'lockout';

/**
 * The fault side of the controller: runs the periodic checks, keeps the one
 * standing fault and its latch as the table's precedence says, and decides on
 * every tick in a fault state whether to retry. The controller carries out
 * what it decides (relay, pilot, state).
 */
export class FaultSupervisor {
  readonly retry: RetryPolicy;
  /** The periodic checks (`check` asks them). */
  readonly checks: CheckSet;
  /** The fault state shown, 0 none. */
  #standing = 0;
  #latch: Latch | 'none' = 'none';
  /** When the standing fault was raised or last retried, ms. */
  #since = 0;

  /** `checks`: a list asked in order, or a set that asks them as one (periodic-checks.ts). */
  constructor(checks: readonly SafetyCheck[] | CheckSet, retry: RetryPolicy) {
    this.checks = Array.isArray(checks) ? new CheckList(checks) : (checks as CheckSet);
    this.retry = retry;
  }

  /** The latch in force as RAPI reports it (a retrying fault is not "hard"). */
  get hard(): HardFault {
    const l = this.#latch;
    return l === 'permanent' ? 'permanent' : l === 'unplug' ? 'unplug' : 'none';
  }

  /** The latch in force, `none` when no fault stands. */
  get latch(): Latch | 'none' {
    return this.#latch;
  }

  /** The standing fault state (0: none): the relay may not close while one stands. */
  get standing(): number {
    return this.#standing;
  }

  /** The fault of the first check that fails, or 0; checks whose `$GE` bit is set in `flags` are skipped and reset. */
  check(sense: Sense, flags: number): number {
    return this.checks.evaluate(sense, flags);
  }

  /** Forgets half-timed conditions (the relay is about to close). */
  resetChecks(): void {
    this.checks.reset();
  }

  /**
   * A fault raised at `now`, the relay last closed at `closedAt` (-1 never);
   * `latch` overrides the table's (a power-on self-test failure is permanent).
   * Returns its row, or undefined when that very fault already stands (nothing
   * new to do). Whether it now stands is `standing`; the latch only grows.
   */
  raise(state: number, now: number, closedAt: number, latch?: Latch): FaultSpec | undefined {
    const spec = FAULTS[state];
    if (state === this.#standing && (latch === undefined || LATCH_STRENGTH[latch] <= LATCH_STRENGTH[this.#latch])) return undefined;
    const next = latch ?? latchFor(spec, now, closedAt);
    if (mayReplace(state, next, this.#standing, this.#latch)) {
      this.#standing = state;
      this.#latch = next;
      this.#since = now;
    }
    return spec;
  }

  /**
   * Called on every tick while a fault stands, with whether the pilot shows
   * no EV and whether the fault's condition still holds (a GFCI sensor still
   * tripped): a retry that falls due then is used up and waits another delay.
   */
  step(now: number, unplugged: boolean, holding = false): FaultStep {
    if (this.#latch === 'permanent' || this.#standing === 0) return 'wait';
    if (unplugged) {
      // Unplugging clears every recoverable fault: the next EV starts afresh.
      this.#standing = 0;
      this.#latch = 'none';
      this.retry.reset();
      return 'unplugged';
    }
    if (this.#latch !== 'retry') return 'wait';
    const decision = this.retry.decide(now - this.#since);
    if (decision === 'wait') return 'wait';
    this.#since = now;
    if (decision === 'lockout') this.#latch = 'unplug';
    else if (holding) return 'wait';
    else {
      this.#standing = 0;
      this.#latch = 'none';
    }
    return decision;
  }

  /** `$FR`: as after power-on. */
  clear(): void {
    this.#standing = 0;
    this.#latch = 'none';
    this.retry.reset();
  }
}
