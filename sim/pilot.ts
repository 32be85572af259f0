// The pilot generator and the pilot-sense ADC as one wire: what the controller
// drives comes back through the EV model (and any fault on the wire).

import { countToDuty, dutyToAmps } from '../modules/j1772/pilot';
import type { PilotOutput, PilotReading, PilotSampler } from '../modules/ports';
import type { Generator, SimEv } from './ev';

export class SimPilot implements PilotOutput, PilotSampler {
  readonly resolution: number;
  readonly frequency = 1000;
  /** The pilot is shorted to protective earth (state E). */
  shorted = false;
  /** Hears the current the pilot offers (A, 0 without PWM) each time it changes: load-sharing tests sum these. */
  onOffer?: (amps: number) => void;
  #offer = 0;
  /** Noise on the wire: volts added to both levels (0: none); storms use it to sit the pilot on a threshold. */
  offset = 0;
  #generator: Generator = { mode: 'low' };
  #count = 0;
  readonly #ev: SimEv;
  /** Like an ADC result register: each read overwrites it, so a tick allocates nothing. */
  readonly #reading: PilotReading = { high: 0, low: 0 };

  constructor(ev: SimEv, options: { resolution?: number } = {}) {
    this.#ev = ev;
    this.resolution = options.resolution ?? 12;
  }

  get generator(): Generator {
    return this.#generator;
  }

  /** The last PWM compare count written. */
  get count(): number {
    return this.#count;
  }

  high(): void {
    this.#generator = { mode: 'high' };
    this.#offered(0);
  }

  low(): void {
    this.#generator = { mode: 'low' };
    this.#offered(0);
  }

  pwm(count: number): void {
    this.#count = count;
    this.#generator = { mode: 'pwm', duty: countToDuty(count, this.resolution) };
    // To 0.1 A, the resolution the controller computes the duty in: the count's rounding to the
    // nearest step (≤ 0.015 % at 12 bits) would otherwise make 7 A read as 7.0039 A.
    this.#offered(Math.round(dutyToAmps(this.#generator.duty) * 10) / 10);
  }

  /** A offered now: what the EV may draw by the duty cycle (0 without PWM). */
  get offer(): number {
    return this.#offer;
  }

  #offered(amps: number): void {
    if (amps === this.#offer) return;
    this.#offer = amps;
    this.onOffer?.(amps);
  }

  /** The levels on the wire now; the same object every call, so read it before the next. */
  read(): PilotReading {
    const r = this.#reading;
    if (!this.shorted) {
      this.#ev.pilot(this.#generator, r);
      if (this.offset !== 0) {
        r.high += this.offset;
        r.low += this.offset;
      }
      return r;
    }
    r.high = 0;
    r.low = 0;
    return r;
  }
}
