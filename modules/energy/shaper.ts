// The current shaper (OpenEVSE current_shaper.cpp): keeps the house under
// `current_shaper_max_pwr` by capping the pilot to what the meter says is left.
//
//   max_cur = (max_pwr [+ solar when divert is on and of solar type] − live_pwr) / V [/ 3] + I_ev
//
// live_pwr is the whole house including the EV, so the EV's own draw is
// added back. The shaper files `max_current` at the safety priority (5000):
// it caps and never raises, and never sets `charge_current` or "active".
//
//   max_cur < minimum current          → pause (claim disabled), start the pause clock
//   paused, ≥ min_pause_time since the pause began and max_cur ≥ minimum + 0.5 A → resume
//   while paused, falling live power is smoothed (smoothing_time); rising power counts at once
//   no live power for data_maxinterval (or none yet) → pause at priority 1100 (the failsafe)
//
// Differences from OpenEVSE, on purpose: its loop leaves the state unset when
// the cap is back above the minimum before min_pause_time has passed, so the
// charger resumes early; here the pause holds for the whole min_pause_time.

import type { EvseProperties } from '../gateway/claims';
import { Priority } from '../gateway/claims';
import { filterFactor } from './smoothing';

/** A, EVSE_SHAPER_HYSTERESIS. */
export const SHAPER_HYSTERESIS = 0.5;
/** ms, EVSE_SHAPER_LOOP_TIME. */
export const SHAPER_LOOP_MS = 2000;

export interface ShaperSettings {
  /** W, current_shaper_max_pwr. */
  maxPower: number;
  /** s (60). */
  smoothingS: number;
  /** s (300). */
  minPauseS: number;
  /** s (120). */
  maxIntervalS: number;
  threePhase: boolean;
}

export const SHAPER_DEFAULTS: ShaperSettings = { maxPower: 0, smoothingS: 60, minPauseS: 300, maxIntervalS: 120, threePhase: false };

export interface ShaperEvse {
  voltage(): number;
  amps(): number;
  minCurrent(): number;
  /** W of solar to add to the budget (divert on, solar type), else 0. */
  solarBonus(): number;
}

export type ShaperClaim = { priority: number; properties: EvseProperties } | undefined;

export interface ShaperOptions {
  now(): number;
  settings(): ShaperSettings;
  evse: ShaperEvse;
  onClaim(claim: ShaperClaim): void;
}

export class Shaper {
  readonly #o: ShaperOptions;
  #enabled = false;
  #live = 0;
  #smoothed = 0;
  #lastInput: number | undefined;
  #maxCur = 0;
  #paused = false;
  #pauseStart = 0;
  #claim: ShaperClaim;
  #claimKey = 'none';

  constructor(options: ShaperOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  get claim(): ShaperClaim {
    return this.#claim;
  }

  /** W, the last live power reading. */
  get livePower(): number {
    return this.#live;
  }

  get smoothedLivePower(): number {
    return this.#smoothed;
  }

  /** A, the cap computed from the last reading. */
  get maxCurrent(): number {
    return this.#maxCur;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Fresh data within data_maxinterval (OpenEVSE `shaper_updated`). */
  get updated(): boolean {
    const last = this.#lastInput;
    return last !== undefined && this.#o.now() - last <= this.#o.settings().maxIntervalS * 1000;
  }

  /** On (config or /shaper) or off (claim released). */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    if (!on) {
      this.#paused = false;
      this.#smoothed = 0;
      this.#file(undefined);
      return;
    }
    this.evaluate();
  }

  /** A reading of the whole house's power, W (MQTT `mqtt_live_pwr`, POST /status `shaper_live_pwr`). */
  livePowerIn(watts: number): void {
    const now = this.#o.now();
    const s = this.#o.settings();
    const dt = this.#lastInput === undefined ? 0 : now - this.#lastInput;
    this.#lastInput = now;
    this.#live = watts;
    if (!this.#paused || watts > this.#smoothed) this.#smoothed = watts;
    else {
      const k = filterFactor(dt, s.smoothingS);
      this.#smoothed = watts * k + this.#smoothed * (1 - k);
    }
    const volts = this.#o.evse.voltage() * (s.threePhase ? 3 : 1);
    if (volts > 0) this.#maxCur = (s.maxPower + this.#o.evse.solarBonus() - this.#smoothed) / volts + this.#o.evse.amps();
    this.evaluate();
  }

  /** The 2 s loop, and after any input: files the claim the rules ask for. */
  evaluate(): void {
    if (!this.#enabled) return;
    const now = this.#o.now();
    const min = this.#o.evse.minCurrent();
    if (!this.updated) {
      // Data that stops starts the pause clock; data that never came does not (as OpenEVSE).
      if (!this.#paused && this.#lastInput !== undefined) {
        this.#pauseStart = now;
        this.#paused = true;
      }
      this.#smoothed = this.#live;
      return this.#file({ priority: Priority.Limit, properties: { state: 'disabled' } });
    }
    const cap = Math.max(0, Math.floor(this.#maxCur));
    if (this.#maxCur < min) {
      if (!this.#paused) this.#pauseStart = now;
      this.#paused = true;
    } else if (this.#paused && now - this.#pauseStart >= this.#o.settings().minPauseS * 1000 && this.#maxCur - min >= SHAPER_HYSTERESIS) {
      this.#paused = false;
    }
    this.#file({ priority: Priority.Safety, properties: this.#paused ? { state: 'disabled', max_current: cap } : { max_current: cap } });
  }

  #file(claim: ShaperClaim): void {
    const key = claim ? `${claim.priority}/${claim.properties.state}/${claim.properties.max_current}` : 'none';
    if (key === this.#claimKey) return;
    this.#claimKey = key;
    this.#claim = claim;
    this.#o.onClaim(claim);
  }
}
