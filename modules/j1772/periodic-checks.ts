// The controller's periodic checks in one pass: GFCI level, no ground, stuck
// relay, over-current, over-temperature, in that order (the first to fail
// wins), each skipped while its `$GE` bit disables it. Each condition is the
// one its own file defines (gfci.ts, ground.ts, stuck-relay.ts,
// overcurrent.ts, temperature.ts); here they are written out in one function
// because the list of check objects cost five calls and a loop on every
// control tick (about 270 computrons of the XS meter, a fifth of a tick).
// test/cases/j1772/periodic-checks.case.ts holds this to that list, check
// object by check object, over random sequences of senses, flags and resets.

import { EvseState, Feature } from './evse-state';
import type { CheckSet, Sense } from './faults';
import { GROUND_CHECK_DELAY_MS } from './ground';
import { DEFAULT_OVER_CURRENT, OverCurrentCheck, type OverCurrentOptions } from './overcurrent';
import { STUCK_RELAY_DELAY_MS } from './stuck-relay';
import { Thermal } from './temperature';

export interface PeriodicChecksOptions {
  /** Over-current protection; `false` leaves the check out (default 5 A for 10 s). */
  overCurrent?: OverCurrentOptions | false;
}

export class PeriodicChecks implements CheckSet {
  /** Over-current: whether it is configured, its margin (A), hysteresis (mA) and time (ms). */
  readonly #overCurrentConfigured: boolean;
  readonly #margin: number;
  readonly #hysteresisMa: number;
  readonly #overMs: number;
  /** The flags last seen (-1: none yet), and which checks they leave on. */
  #flags = -1;
  #ground = true;
  #stuck = true;
  #overCurrent = true;
  #temperature = true;
  /** Stuck relay: since when AC has been seen with the relay open (-1: not seen). */
  #stuckSince = -1;
  /** Over-current: since when the current has exceeded the offer plus the margin (-1: it does not). */
  #overSince = -1;

  constructor(options: PeriodicChecksOptions = {}) {
    const oc = options.overCurrent ?? DEFAULT_OVER_CURRENT;
    this.#overCurrentConfigured = oc !== false;
    // The check's own constructor validates the options and fills the defaults.
    const check = new OverCurrentCheck(oc === false ? DEFAULT_OVER_CURRENT : oc);
    this.#margin = check.margin;
    this.#hysteresisMa = check.hysteresis * 1000;
    this.#overMs = check.ms;
  }

  evaluate(s: Sense, flags: number): number {
    if (flags !== this.#flags) this.#activate(flags);
    const now = s.now;
    // In the order of the list (the first to fail wins). A check that is off
    // keeps its timing at -1 (it was reset as it went off), so setting it to
    // -1 again below changes nothing.
    if (s.relayClosed) {
      // gfci.ts GfciLevelCheck (cannot be disabled).
      if (s.gfci) return EvseState.GfciFault;
      // ground.ts GroundCheck.
      if (this.#ground && now - s.relayChangedAt > GROUND_CHECK_DELAY_MS && s.liveLines === 0) return EvseState.NoGround;
      // stuck-relay.ts StuckRelayCheck: the relay is closed.
      this.#stuckSince = -1;
      // overcurrent.ts OverCurrentCheck.
      if (this.#overCurrent) {
        if (!s.charging) this.#overSince = -1;
        else {
          const threshold = (s.offeredAmps + this.#margin) * 1000; // as overcurrent.ts rounds it
          if (this.#overSince < 0) {
            if (s.milliamps >= threshold) {
              this.#overSince = now;
              if (0 >= this.#overMs) return EvseState.OverCurrent;
            }
          } else if (s.milliamps < threshold - this.#hysteresisMa) this.#overSince = -1;
          else if (now - this.#overSince >= this.#overMs) return EvseState.OverCurrent;
        }
      }
    } else {
      // stuck-relay.ts StuckRelayCheck: AC seen downstream of the open relay.
      if (this.#stuck) {
        if (s.relayOpening || s.liveLines === 0) this.#stuckSince = -1;
        else {
          if (this.#stuckSince < 0 || this.#stuckSince < s.relayChangedAt) this.#stuckSince = now;
          if (now - s.relayChangedAt > STUCK_RELAY_DELAY_MS && now - this.#stuckSince > STUCK_RELAY_DELAY_MS) return EvseState.StuckRelay;
        }
      }
      // overcurrent.ts OverCurrentCheck: the relay is open.
      this.#overSince = -1;
    }
    // temperature.ts OverTemperatureCheck.
    if (this.#temperature && s.thermal === Thermal.Panic) return EvseState.OverTemperature;
    return 0;
  }

  /** New flags: a check they disable forgets its half-timed condition as it drops out. */
  #activate(flags: number): void {
    this.#flags = flags;
    this.#ground = (flags & Feature.GroundCheckDisabled) === 0;
    this.#stuck = (flags & Feature.StuckRelayCheckDisabled) === 0;
    this.#overCurrent = this.#overCurrentConfigured && (flags & Feature.OverCurrentCheckDisabled) === 0;
    this.#temperature = (flags & Feature.TemperatureCheckDisabled) === 0;
    if (!this.#stuck) this.#stuckSince = -1;
    if (!this.#overCurrent) this.#overSince = -1;
  }

  reset(): void {
    this.#stuckSince = -1;
    this.#overSince = -1;
  }
}
