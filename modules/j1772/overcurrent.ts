// Over-current: an EV that draws more than the pilot offers plus a margin for
// a sustained time is faulted (OpenEVSE EU build: 5 A for 10 s). Only in
// state C, where the pilot's offer is the contract.
//
// Threshold semantics (docs/safety.md): the excess begins when the reported
// current reaches offer + margin (inclusive: exactly +5 A counts), and it
// lasts until the current falls below offer + margin − hysteresis. Ripple of
// the ammeter around the threshold (tens of mA) therefore cannot restart the
// 10 s timer; only a real drop of the current can.

import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

export interface OverCurrentOptions {
  /** Amps above the advertised current that count as over-current (inclusive). */
  margin: number;
  /** How long the excess must last, ms. */
  ms: number;
  /** Amps below the threshold the current must fall to end an excess (default 1). */
  hysteresis?: number;
}

export const DEFAULT_OVER_CURRENT: Readonly<Required<OverCurrentOptions>> = Object.freeze({ margin: 5, ms: 10_000, hysteresis: 1 });

export class OverCurrentCheck implements SafetyCheck {
  readonly fault = EvseState.OverCurrent;
  readonly margin: number;
  readonly ms: number;
  readonly hysteresis: number;
  #since = -1;

  constructor(options: OverCurrentOptions = DEFAULT_OVER_CURRENT) {
    this.margin = options.margin;
    this.ms = options.ms;
    this.hysteresis = options.hysteresis ?? DEFAULT_OVER_CURRENT.hysteresis;
    if (!(this.hysteresis >= 0) || !(this.hysteresis <= this.margin)) throw new RangeError('over-current hysteresis must be 0 … margin amps');
  }

  evaluate(s: Sense): boolean {
    if (!s.charging || !s.relayClosed) {
      this.#since = -1;
      return false;
    }
    const threshold = (s.offeredAmps + this.margin) * 1000;
    if (this.#since < 0) {
      if (s.milliamps < threshold) return false;
      this.#since = s.now;
    } else if (s.milliamps < threshold - this.hysteresis * 1000) {
      this.#since = -1;
      return false;
    }
    return s.now - this.#since >= this.ms;
  }

  reset(): void {
    this.#since = -1;
  }
}
