// A charging session: from plugging in to unplugging. It counts the charge
// time and the energy, holds the `$S3`/`$SH` limits, and keeps the lifetime
// energy total in storage. The total written to storage includes the running
// session, so a clean stop loses nothing and a power loss at most what
// accrued since the last save (10 Wh or a minute); the `$GU` figure of
// finished sessions stays OpenEVSE's.

import { EnergyMeter } from './energy';
import { SessionLimits } from './limits';
import type { SettingsStore } from './settings';

/**
 * While charging, the total is saved once at least this much energy, Wh, and
 * at least SAVE_EVERY_MS of charging have gone unsaved: a power loss then
 * costs at most 10 Wh or one minute of charging, whichever is more (issue 14).
 * Flash wear is bounded by time: at most one write per minute of charging,
 * 1440 a day for a charger that never stops (docs/security.md has the NVS budget).
 */
export const SAVE_EVERY_WH = 10;
export const SAVE_EVERY_MS = 60_000;

export interface ChargeSessionOptions {
  settings: SettingsStore;
  /** Save the running total once this many Wh are unsaved (0: only when a session ends or the controller stops)... */
  saveEveryWh?: number;
  /** ... and this many ms of charging have passed since the last save. */
  saveEveryMs?: number;
}

/**
 * Charging the control tick counts without a call (ChargeSession.pending):
 * `ms` not yet counted, at `mV` and `mA`. The rule: a tick of `dt` ms at
 * `mV` and `mA` may add to `ms` instead of calling `accrue` only when `mV`
 * and `mA` are these, `dt` is a whole number ≥ 0 and `ms + dt < room` (the
 * ms left before the save check must look at the energy).
 */
export interface PendingCharge {
  mV: number;
  mA: number;
  ms: number;
  room: number;
}

export class ChargeSession {
  readonly limits = new SessionLimits();
  /**
   * The control tick runs 100 times a second with the same voltage and the
   * same reading for ten ticks at a time: while those stand, a whole number
   * of ms ≥ 0 short of the save check, the tick adds its ms here, and the
   * session counts them (exactly as `accrue` would have, tick by tick) as
   * soon as anything is asked of it or `accrue` is called. The controller
   * writes only `ms`, and only as PendingCharge's rule allows.
   */
  readonly pending: PendingCharge = { mV: NaN, mA: NaN, ms: 0, room: 0 };
  readonly #energy: EnergyMeter;
  readonly #settings: SettingsStore;
  readonly #saveEveryWs: number;
  readonly #saveEveryMs: number;
  /** The total last written to storage, Ws. */
  #savedWs: number;
  /** Charging time since that write, ms. */
  #unsavedMs = 0;
  #chargeMs = 0;

  constructor(options: ChargeSessionOptions) {
    this.#settings = options.settings;
    const saveEveryWh = options.saveEveryWh ?? SAVE_EVERY_WH;
    if (!(saveEveryWh >= 0)) throw new RangeError('saveEveryWh must be ≥ 0');
    this.#saveEveryWs = saveEveryWh * 3600;
    this.#saveEveryMs = options.saveEveryMs ?? SAVE_EVERY_MS;
    this.#savedWs = options.settings.values.totalWs;
    this.#energy = new EnergyMeter({ totalWs: this.#savedWs });
  }

  /** The energy meter (the charging pending counted first). */
  get energy(): EnergyMeter {
    if (this.pending.ms !== 0) this.#settle();
    return this.#energy;
  }

  /** Charging time of the running (or last) session, ms. */
  get chargeMs(): number {
    if (this.pending.ms !== 0) this.#settle();
    return this.#chargeMs;
  }

  /** An EV was plugged in: energy and charge time start from zero. */
  begin(): void {
    if (this.pending.ms !== 0) this.#settle();
    this.#energy.startSession();
    this.#chargeMs = 0;
  }

  /** The EV was unplugged: the session joins the lifetime total, which is saved. */
  end(): void {
    if (this.pending.ms !== 0) this.#settle();
    this.#energy.endSession();
    this.save();
  }

  /** `ms` of charging at `mV` and `mA`. */
  accrue(mV: number, mA: number, ms: number): void {
    if (this.pending.ms !== 0) this.#settle();
    this.#add(mV, mA, ms);
    // From now on the tick may pend at this voltage and current, as long as the save check could not fire.
    const p = this.pending;
    p.mV = mV;
    p.mA = mA;
    p.room = this.#saveEveryWs > 0 ? this.#saveEveryMs - this.#unsavedMs : Infinity;
  }

  #add(mV: number, mA: number, ms: number): void {
    this.#chargeMs += ms;
    this.#energy.add(mV, mA, ms);
    // The time first: the energy is worked out only once a minute has gone unsaved.
    if ((this.#unsavedMs += ms) >= this.#saveEveryMs && this.#saveEveryWs > 0 && this.#energy.totalWs - this.#savedWs >= this.#saveEveryWs) this.save();
  }

  /** Counts the pending charging: whole ms at one voltage and current, short of the save check, so one step is the sum of the ticks'. */
  #settle(): void {
    const p = this.pending;
    const ms = p.ms;
    p.ms = 0;
    p.room -= ms;
    this.#add(p.mV, p.mA, ms);
  }

  /** True when a `$S3`/`$SH` limit has been reached. */
  get limitReached(): boolean {
    const l = this.limits;
    if (!(l.time > 0 || l.energy > 0)) return false;
    if (this.pending.ms !== 0) this.#settle();
    return l.reached(this.#chargeMs, this.#energy.sessionWs);
  }

  /** `$SK`: the total of the finished sessions, Wh. */
  setTotalWh(wh: number): void {
    if (this.pending.ms !== 0) this.#settle();
    this.#energy.setTotalWh(wh);
    this.save();
  }

  /** Writes the lifetime total, the running session included. */
  save(): void {
    if (this.pending.ms !== 0) this.#settle();
    this.#savedWs = this.#settings.values.totalWs = this.#energy.totalWs;
    this.#unsavedMs = 0;
    this.#settings.save();
  }
}
