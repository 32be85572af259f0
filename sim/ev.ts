// An electric vehicle as the control pilot and the mains see it: the J1772
// resistor network behind a diode, switched from state B (2.74 kΩ) to C
// (882 Ω) or D (246 Ω) when it wants to charge, and the current it draws.

import { dutyToAmps } from '../modules/j1772/pilot';

/** EV-side resistances (SAE J1772 / IEC 61851-1). */
export const R_B = 2740;
export const R_C = 882;
export const R_D = 246;
/** The EVSE's series resistor and the EV's diode drop. */
export const R_SOURCE = 1000;
export const DIODE_DROP = 0.7;
export const PILOT_VOLTS = 12;

export type Generator = { mode: 'high' | 'low' } | { mode: 'pwm'; duty: number };

export interface SimEvOptions {
  /** Most the on-board charger will draw, amps (default 32). */
  maxCurrent?: number;
  /** Asks for ventilation: closes to 246 Ω (state D) instead of 882 Ω. */
  ventilation?: boolean;
}

export class SimEv {
  maxCurrent: number;
  /** Amps drawn beyond what the pilot allows (a misbehaving EV). */
  overdraw = 0;
  ventilation: boolean;
  /** The EV's pilot diode is shorted. */
  diodeShorted = false;
  /**
   * A misbehaving EV: once charging it stays in C and keeps drawing the last
   * offered current whatever the pilot does (until unplugged or told to stop).
   */
  ignoresPilot = false;
  #plugged = false;
  #wantsCharge = true;
  #charging = false;
  #lastOffer = 0;
  /** The generator output last seen and the current its duty offers: the pilot is read every tick, its duty changes seldom. */
  #generator: Generator | undefined;
  #generatorOffer = 0;

  constructor(options: SimEvOptions = {}) {
    this.maxCurrent = options.maxCurrent ?? 32;
    this.ventilation = options.ventilation ?? false;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  plug(): void {
    this.#plugged = true;
  }

  unplug(): void {
    this.#plugged = false;
  }

  /** The EV's own charge request (its S2 switch closes only while PWM offers current). */
  requestCharge(on: boolean): void {
    this.#wantsCharge = on;
  }

  /** The resistance from pilot to ground, or Infinity when unplugged. */
  resistance(generator: Generator): number {
    if (!this.#plugged) {
      this.#charging = false;
      return Infinity;
    }
    if (generator !== this.#generator) {
      this.#generator = generator;
      this.#generatorOffer = generator.mode === 'pwm' ? dutyToAmps(generator.duty) : 0;
    }
    const offer = this.#generatorOffer;
    if (offer > 0) this.#lastOffer = offer;
    this.#charging = this.#wantsCharge && (offer > 0 || (this.ignoresPilot && this.#charging));
    if (!this.#charging) return R_B;
    return this.ventilation ? R_D : R_C;
  }

  /** Positive and negative pilot levels for a generator output, volts; written into `out` when given (no allocation). */
  pilot(generator: Generator, out: { high: number; low: number } = { high: 0, low: 0 }): { high: number; low: number } {
    const r = this.resistance(generator);
    // Positive half: 12 V through 1 kΩ, then the diode and r to ground.
    const positive = r === Infinity ? PILOT_VOLTS : DIODE_DROP + ((PILOT_VOLTS - DIODE_DROP) * r) / (r + R_SOURCE);
    // Negative half: the diode blocks, unless it is shorted.
    const negative = r !== Infinity && this.diodeShorted ? (-PILOT_VOLTS * r) / (r + R_SOURCE) : -PILOT_VOLTS;
    out.high = generator.mode === 'low' ? negative : positive;
    out.low = generator.mode === 'high' ? positive : negative;
    return out;
  }

  /** Amps drawn with mains power present. */
  draw(generator: Generator): number {
    const r = this.resistance(generator);
    if (r === Infinity || r === R_B) return 0;
    const offer = generator.mode === 'pwm' ? dutyToAmps(generator.duty) : this.#lastOffer;
    return Math.min(this.maxCurrent, offer) + this.overdraw;
  }
}
