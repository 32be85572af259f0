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

export class ChargeSession {
  readonly energy: EnergyMeter;
  readonly limits = new SessionLimits();
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
    this.energy = new EnergyMeter({ totalWs: this.#savedWs });
  }

  /** Charging time of the running (or last) session, ms. */
  get chargeMs(): number {
    return this.#chargeMs;
  }

  /** An EV was plugged in: energy and charge time start from zero. */
  begin(): void {
    this.energy.startSession();
    this.#chargeMs = 0;
  }

  /** The EV was unplugged: the session joins the lifetime total, which is saved. */
  end(): void {
    this.energy.endSession();
    this.save();
  }

  /** `ms` of charging at `mV` and `mA`. */
  accrue(mV: number, mA: number, ms: number): void {
    this.#chargeMs += ms;
    this.energy.add(mV, mA, ms);
    // The time first: the energy is worked out only once a minute has gone unsaved.
    if ((this.#unsavedMs += ms) >= this.#saveEveryMs && this.#saveEveryWs > 0 && this.energy.totalWs - this.#savedWs >= this.#saveEveryWs) this.save();
  }

  /** True when a `$S3`/`$SH` limit has been reached. */
  get limitReached(): boolean {
    const l = this.limits;
    return (l.time > 0 || l.energy > 0) && l.reached(this.#chargeMs, this.energy.sessionWs);
  }

  /** `$SK`: the total of the finished sessions, Wh. */
  setTotalWh(wh: number): void {
    this.energy.setTotalWh(wh);
    this.save();
  }

  /** Writes the lifetime total, the running session included. */
  save(): void {
    this.#savedWs = this.#settings.values.totalWs = this.energy.totalWs;
    this.#unsavedMs = 0;
    this.#settings.save();
  }
}
