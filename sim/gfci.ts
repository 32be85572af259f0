// A CCID20 ground-fault sensor: it reports a fault while leakage to earth of
// 20 mA or more flows (only when the EV is energised), or while its test
// winding is driven (unless the sensor is broken). Rising edges are delivered
// to `onTrip` at once, as the hardware interrupt would be.

import type { GfciInput, GfciTestOutput } from '../modules/ports';

export const CCID20_MILLIAMPS = 20;

export class SimGfci implements GfciInput, GfciTestOutput {
  #leak = 0;
  #winding = false;
  #level = false;
  /** A broken sensor neither trips on leakage nor on its test winding. */
  broken = false;
  readonly #energized: () => boolean;
  onTrip?: () => void;

  constructor(energized: () => boolean) {
    this.#energized = energized;
  }

  /** Leakage current to earth while energised, mA. */
  leak(mA: number): void {
    this.#leak = mA;
    this.update();
  }

  read(): boolean {
    return this.#level;
  }

  /** The self-test winding. */
  set(on: boolean): void {
    this.#winding = on;
    this.update();
  }

  /** Re-evaluates the sensor (after the contactor or the leakage changed). */
  update(): void {
    const level = !this.broken && (this.#winding || (this.#energized() && this.#leak >= CCID20_MILLIAMPS));
    const rising = level && !this.#level;
    this.#level = level;
    if (rising) this.onTrip?.();
  }
}
