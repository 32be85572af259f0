// A charging session: from plugging in to unplugging. It counts the charge
// time and the energy, holds the `$S3`/`$SH` limits, and keeps the lifetime
// energy total in storage. The total written to storage includes the running
// session, so a clean stop or a power loss loses at most what accrued since
// the last save; the `$GU` figure of finished sessions stays OpenEVSE's.

import { EnergyMeter } from './energy';
import { SessionLimits } from './limits';
import type { SettingsStore } from './settings';

/**
 * While charging, the total is saved each time it has grown by this much, Wh:
 * a power loss then costs less than 1 kWh. Flash wear is bounded by energy,
 * not time: one write per kWh is one every 3 minutes at 19.2 kW (80 A ×
 * 240 V) and 50 000 writes for 50 MWh, ten years of a busy station, well
 * inside what a wear-levelled NVS partition takes (docs/controller.md).
 */
export const SAVE_EVERY_WH = 1000;

export interface ChargeSessionOptions {
  settings: SettingsStore;
  /** Save the running total every this many Wh while charging (0: only when a session ends or the controller stops). */
  saveEveryWh?: number;
}

export class ChargeSession {
  readonly energy: EnergyMeter;
  readonly limits = new SessionLimits();
  readonly #settings: SettingsStore;
  readonly #saveEveryWs: number;
  /** The total last written to storage, Ws. */
  #savedWs: number;
  #chargeMs = 0;

  constructor(options: ChargeSessionOptions) {
    this.#settings = options.settings;
    const saveEveryWh = options.saveEveryWh ?? SAVE_EVERY_WH;
    if (!(saveEveryWh >= 0)) throw new RangeError('saveEveryWh must be ≥ 0');
    this.#saveEveryWs = saveEveryWh * 3600;
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
    if (this.#saveEveryWs > 0 && this.energy.totalWs - this.#savedWs >= this.#saveEveryWs) this.save();
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
    this.#settings.save();
  }
}
