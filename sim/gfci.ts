// A CCID20 ground-fault sensor with UL 2231's inverse-time behaviour: it
// trips on a residual current of 20 mA or more after a time that shrinks with
// the current, T ≤ (20 / I)^1.43 s (1.0 s at 20 mA, 0.10 s at 100 mA, 21 ms at
// 300 mA; reference/clients-and-standards.md). The residual current is the
// leakage to earth while the EV is energised plus the self-test winding's
// current while it is driven. A rising edge is delivered to `onTrip` at once,
// as the hardware interrupt would be.
//
// The sensor integrates the curve: each ms at current I uses up
// 1 / (fraction × T(I)) of the trip, so a leak that changes part-way trips
// when the dose reaches 1, and a current below 20 mA resets it (the filter
// discharges). After the dose is reached the output rises `sensorDelayMs`
// later (comparator, filtering). Without a clock the sensor is ideal and
// trips at once.

import type { Clock, GfciInput, GfciTestOutput, TimerId, Timers } from '../modules/ports';

export const CCID20_MILLIAMPS = 20;
export const CCID20_EXPONENT = 1.43;

/** UL 2231 CCID20: the longest a trip may take at a residual current of `mA`, ms (Infinity below 20 mA). */
export function ccid20LimitMs(mA: number): number {
  return mA >= CCID20_MILLIAMPS ? 1000 * (CCID20_MILLIAMPS / mA) ** CCID20_EXPONENT : Infinity;
}

export interface SimGfciOptions {
  /** Virtual clock and timers: with them the sensor follows the inverse-time curve; without, it trips at once. */
  clock?: Clock & Timers;
  /** The sensor's own trip time as a fraction of UL 2231's limit (default 0.8: a sensor with margin). */
  curveFraction?: number;
  /** From the trip decision to the output edge, ms (default 2). */
  sensorDelayMs?: number;
  /** Residual current the self-test winding drives, mA (default 100: trips in ~82 ms). */
  windingMilliamps?: number;
}

export class SimGfci implements GfciInput, GfciTestOutput {
  #leak = 0;
  #winding = false;
  #level = false;
  /** A broken sensor neither trips on leakage nor on its test winding. */
  broken = false;
  readonly #energized: () => boolean;
  readonly #clock?: Clock & Timers;
  readonly curveFraction: number;
  readonly sensorDelayMs: number;
  readonly windingMilliamps: number;
  /** Trip dose used up so far (1 trips), and the residual current and time it was last brought up to date at. */
  #dose = 0;
  #current = 0;
  #at = 0;
  #timer: TimerId | undefined;
  /** Rising edges of the output so far (the level itself falls as soon as the relay opens). */
  trips = 0;
  onTrip?: () => void;

  constructor(energized: () => boolean, options: SimGfciOptions = {}) {
    this.#energized = energized;
    this.#clock = options.clock;
    this.curveFraction = options.curveFraction ?? 0.8;
    this.sensorDelayMs = options.sensorDelayMs ?? 2;
    this.windingMilliamps = options.windingMilliamps ?? 100;
    if (!(this.curveFraction > 0) || !(this.sensorDelayMs >= 0) || !(this.windingMilliamps >= 0)) {
      throw new RangeError('GFCI curve fraction must be > 0, sensor delay and winding current ≥ 0');
    }
  }

  /** Leakage current to earth while energised, mA. */
  leak(mA: number): void {
    this.#leak = mA;
    this.update();
  }

  /** The residual current through the sensor now, mA. */
  get residualMilliamps(): number {
    return (this.#energized() ? this.#leak : 0) + (this.#winding ? this.windingMilliamps : 0);
  }

  read(): boolean {
    return this.#level;
  }

  /** The self-test winding. */
  set(on: boolean): void {
    this.#winding = on;
    this.update();
  }

  /** Re-evaluates the sensor (after the contactor, the leakage or the winding changed). */
  update(): void {
    const clock = this.#clock;
    const current = this.broken ? 0 : this.residualMilliamps;
    if (!clock) {
      // Ideal sensor: at or above the threshold it trips at once.
      this.#setLevel(current >= CCID20_MILLIAMPS || (this.#winding && !this.broken));
      return;
    }
    const now = clock.now();
    this.#dose += this.#rate(this.#current) * (now - this.#at);
    this.#at = now;
    this.#current = current;
    if (current < CCID20_MILLIAMPS) {
      this.#dose = 0;
      this.#cancel();
      this.#setLevel(false);
      return;
    }
    if (this.#level || this.#timer !== undefined) {
      if (this.#level || this.#dose >= 1) return; // tripped, or the output edge is on its way
    }
    this.#cancel();
    const remaining = this.#dose >= 1 ? 0 : (1 - this.#dose) / this.#rate(current);
    this.#timer = clock.set(() => this.#decide(), Math.ceil(remaining));
  }

  /** Dose per ms at `mA`. */
  #rate(mA: number): number {
    return mA >= CCID20_MILLIAMPS ? 1 / (this.curveFraction * ccid20LimitMs(mA)) : 0;
  }

  /** The dose is reached: the output rises after the sensor's delay (if the current is still there). */
  #decide(): void {
    const clock = this.#clock!;
    this.#timer = undefined;
    const now = clock.now();
    this.#dose += this.#rate(this.#current) * (now - this.#at);
    this.#at = now;
    this.#dose = Math.max(this.#dose, 1);
    if (this.sensorDelayMs === 0) this.#setLevel(true);
    else this.#timer = clock.set(() => {
      this.#timer = undefined;
      if (this.#current >= CCID20_MILLIAMPS) this.#setLevel(true);
    }, this.sensorDelayMs);
  }

  #cancel(): void {
    if (this.#timer === undefined) return;
    this.#clock!.clear(this.#timer);
    this.#timer = undefined;
  }

  #setLevel(level: boolean): void {
    const rising = level && !this.#level;
    this.#level = level;
    if (!rising) return;
    this.trips++;
    this.onTrip?.();
  }
}
