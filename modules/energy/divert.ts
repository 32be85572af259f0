// Solar PV divert, "eco" mode (OpenEVSE divert.cpp, docs/user/solar-divert.md):
// charge from what the panels make, or from what the house would export.
//
//   solar type:    available = solar W / V
//   grid_ie type:  I_grid = grid_ie W / V − I_ev (grid_ie < 0 exporting, and it
//                  includes the EV); available = −I_grid − reserve when
//                  exporting, else 0; reserve = 1000 W × max(0, PV_ratio − 1) / V
//   smoothed   = attack/decay exponential filter of available (smoothing.ts)
//   charge_rate = floor(available), +1 if the fraction > min(1, PV_ratio)
//   trigger    = minimum current × min(1, PV_ratio)
//   start      when smoothed ≥ trigger + 0.5 A (hysteresis): claim active at charge_rate, priority 50
//   stop       when smoothed ≤ trigger and the minimum charge time since the
//              charge began has passed: claim disabled, priority 10
//
// The failsafe OpenEVSE lacks (its issues #248, #1144): if no solar/grid value
// arrives for `maxIntervalS`, divert does not hold the last value; it stops
// charging at once (minimum charge time or not) and starts again from zero
// once data flows.

import type { EvseProperties } from '../gateway/claims';
import { Priority } from '../gateway/claims';
import { AttackDecayFilter } from './smoothing';

export const DivertMode = { Normal: 1, Eco: 2 } as const;
export type DivertModeValue = 1 | 2;

/** `divert_type`: −1 unset (treated as solar), 0 solar, 1 grid import/export. */
export const DivertType = { Unset: -1, Solar: 0, Grid: 1 } as const;

/** A, EVSE_DIVERT_HYSTERESIS. */
export const DIVERT_HYSTERESIS = 0.5;

export interface DivertSettings {
  type: number;
  /** divert_PV_ratio (1.1). */
  pvRatio: number;
  /** s (20). */
  attackS: number;
  /** s (600). */
  decayS: number;
  /** s (600). */
  minChargeS: number;
  /** s: no input for this long stops divert charging (120). */
  maxIntervalS: number;
  threePhase: boolean;
}

export const DIVERT_DEFAULTS: DivertSettings = {
  type: DivertType.Solar,
  pvRatio: 1.1,
  attackS: 20,
  decayS: 600,
  minChargeS: 600,
  maxIntervalS: 120,
  threePhase: false,
};

/** What divert needs to know about the charger. */
export interface DivertEvse {
  /** V, line to neutral. */
  voltage(): number;
  /** A the EV draws now. */
  amps(): number;
  /** A, the controller's minimum pilot. */
  minCurrent(): number;
  /** The EV is drawing power (state C/D). */
  charging(): boolean;
}

export type DivertClaim = { priority: number; properties: EvseProperties } | undefined;

export interface DivertOptions {
  now(): number;
  settings(): DivertSettings;
  evse: DivertEvse;
  /** The claim divert wants filed (undefined: release). Called only when it changes. */
  onClaim(claim: DivertClaim): void;
}

export class Divert {
  readonly #o: DivertOptions;
  readonly #filter = new AttackDecayFilter();
  #mode: DivertModeValue = DivertMode.Normal;
  #solar = 0;
  #gridIe = 0;
  #lastInput: number | undefined;
  #available = 0;
  #chargeRate = 0;
  #trigger = 0;
  #minChargeEnd = 0;
  #wasCharging = false;
  #stale = false;
  #claim: DivertClaim;
  #claimKey = 'none';

  constructor(options: DivertOptions) {
    this.#o = options;
  }

  get mode(): DivertModeValue {
    return this.#mode;
  }

  /** The claim divert holds now. */
  get claim(): DivertClaim {
    return this.#claim;
  }

  get available(): number {
    return this.#available;
  }

  get smoothed(): number {
    return this.#filter.value;
  }

  get chargeRate(): number {
    return this.#chargeRate;
  }

  get stale(): boolean {
    return this.#stale;
  }

  /** Divert holds an active claim: the charger runs on surplus. */
  get active(): boolean {
    return this.#claim?.properties.state === 'active';
  }

  /** 1 normal (divert off, claim released), 2 eco (divert decides). */
  setMode(mode: DivertModeValue): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#available = 0;
    this.#chargeRate = 0;
    this.#minChargeEnd = 0;
    this.#filter.reset();
    if (mode === DivertMode.Normal) return this.#file(undefined);
    // Eco starts paused and waits for surplus, as OpenEVSE does.
    this.#file({ priority: Priority.Default, properties: { state: 'disabled' } });
  }

  /** A solar generation reading, W (MQTT `mqtt_solar`, POST /status `solar`). */
  solar(watts: number): void {
    this.#solar = watts;
    if (this.#type() === DivertType.Solar) this.#input();
  }

  /** A grid reading, W, + import / − export (MQTT `mqtt_grid_ie`, POST /status `grid_ie`). */
  gridIe(watts: number): void {
    this.#gridIe = watts;
    if (this.#type() === DivertType.Grid) this.#input();
  }

  get solarWatts(): number {
    return this.#solar;
  }

  get gridIeWatts(): number {
    return this.#gridIe;
  }

  /** The charger's state changed: a charge that begins starts the minimum charge time. */
  evseChanged(): void {
    const charging = this.#o.evse.charging();
    if (charging && !this.#wasCharging) this.#minChargeEnd = this.#o.now() + this.#o.settings().minChargeS * 1000;
    this.#wasCharging = charging;
  }

  /** Periodic: stops divert charging when the input has gone quiet. */
  check(): void {
    if (this.#mode !== DivertMode.Eco || this.#stale) return;
    const last = this.#lastInput;
    if (last === undefined) return;
    if (this.#o.now() - last <= this.#o.settings().maxIntervalS * 1000) return;
    this.#stale = true;
    this.#available = 0;
    this.#chargeRate = 0;
    this.#filter.reset();
    this.#file({ priority: Priority.Default, properties: { state: 'disabled' } });
  }

  /** s left of the minimum charge time (0 when not charging on divert). */
  minChargeRemaining(): number {
    const now = this.#o.now();
    return this.active && this.#o.evse.charging() && now < this.#minChargeEnd ? Math.ceil((this.#minChargeEnd - now) / 1000) : 0;
  }

  /** Seconds since the last solar/grid value (OpenEVSE `divert_update`), 0 before any. */
  sinceUpdate(): number {
    return this.#lastInput === undefined ? 0 : Math.floor((this.#o.now() - this.#lastInput) / 1000);
  }

  get trigger(): number {
    return this.#trigger;
  }

  #type(): number {
    return this.#o.settings().type === DivertType.Grid ? DivertType.Grid : DivertType.Solar;
  }

  #input(): void {
    const now = this.#o.now();
    this.#lastInput = now;
    this.#stale = false;
    if (this.#mode !== DivertMode.Eco) return;
    const s = this.#o.settings();
    const volts = this.#o.evse.voltage() * (s.threePhase ? 3 : 1);
    if (!(volts > 0)) return;
    let available: number;
    if (this.#type() === DivertType.Grid) {
      const grid = this.#gridIe / volts - this.#o.evse.amps();
      available = grid < 0 ? -grid - (1000 * Math.max(0, s.pvRatio - 1)) / volts : 0;
    } else {
      available = this.#solar / volts;
    }
    if (!(available > 0)) available = 0;
    this.#available = available;
    const smoothed = this.#filter.add(available, now, s.attackS, s.decayS);
    let rate = Math.floor(available);
    if (available - rate > Math.min(1, s.pvRatio)) rate += 1;
    this.#chargeRate = rate;
    const trigger = this.#o.evse.minCurrent() * Math.min(1, s.pvRatio);
    this.#trigger = trigger;
    if (smoothed >= trigger + DIVERT_HYSTERESIS) {
      this.#file({ priority: Priority.Divert, properties: { state: 'active', charge_current: rate } });
    } else if (smoothed <= trigger && this.active && this.minChargeRemaining() === 0) {
      this.#file({ priority: Priority.Default, properties: { state: 'disabled' } });
    }
  }

  #file(claim: DivertClaim): void {
    const key = claim ? `${claim.priority}/${claim.properties.state}/${claim.properties.charge_current}` : 'none';
    if (key === this.#claimKey) return;
    this.#claimKey = key;
    this.#claim = claim;
    this.#o.onClaim(claim);
  }
}
