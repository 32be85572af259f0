// Over-current: an EV that draws more than the pilot offers plus a margin for
// a sustained time is faulted (OpenEVSE EU build: 5 A for 10 s). Only in
// state C, where the pilot's offer is the contract.

import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

export interface OverCurrentOptions {
  /** Amps above the advertised current that count as over-current. */
  margin: number;
  /** How long the excess must last, ms. */
  ms: number;
}

export const DEFAULT_OVER_CURRENT: Readonly<OverCurrentOptions> = Object.freeze({ margin: 5, ms: 10_000 });

export class OverCurrentCheck implements SafetyCheck {
  readonly fault = EvseState.OverCurrent;
  readonly margin: number;
  readonly ms: number;
  #since = -1;

  constructor(options: OverCurrentOptions = DEFAULT_OVER_CURRENT) {
    this.margin = options.margin;
    this.ms = options.ms;
  }

  evaluate(s: Sense): boolean {
    if (!s.charging || !s.relayClosed || s.milliamps < (s.offeredAmps + this.margin) * 1000) {
      this.#since = -1;
      return false;
    }
    if (this.#since < 0) this.#since = s.now;
    return s.now - this.#since >= this.ms;
  }

  reset(): void {
    this.#since = -1;
  }
}
