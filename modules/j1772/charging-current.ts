// The current the EV draws, as the current transformer reports it: while the
// relay is closed, one mains-cycle RMS reading is taken every interval into a
// buffer allocated once, and the ammeter's block average is the figure. With
// the relay open the figure is 0 and the average starts afresh.

import type { CurrentSampler } from '../ports';
import { Ammeter } from './ammeter';
import { restingSense, type Sense } from './faults';

/** The current's field of the controller's Sense (faults.ts), which ChargingCurrent keeps. */
export type CurrentSense = Pick<Sense, 'milliamps'>;

export interface ChargingCurrentOptions {
  /** The CT's ADC; without one the current reads 0. */
  sampler?: CurrentSampler;
  /** `$SA` calibration. */
  scale: number;
  offset: number;
  /** Readings averaged into one reported current. */
  block: number;
  /** ms between readings. */
  intervalMs: number;
  /** Where the reported current is kept (the controller's Sense). */
  sense?: CurrentSense;
}

/** One window holds a whole cycle after the first crossing at 50 Hz and at 60 Hz. */
const WINDOW_MS = 40;

export class ChargingCurrent {
  readonly #sampler?: CurrentSampler;
  readonly #ammeter?: Ammeter;
  readonly #samples?: Uint16Array;
  readonly #intervalMs: number;
  /** The reported current lives here: the periodic checks read it on every tick. */
  readonly #sense: CurrentSense;
  #last = 0;
  #lastReadingAt = -Infinity;
  /** Readings were taken since the last reset. */
  #measuring = false;

  constructor(options: ChargingCurrentOptions) {
    this.#intervalMs = options.intervalMs;
    this.#sense = options.sense ?? restingSense();
    this.#sense.milliamps = 0;
    const sampler = options.sampler;
    if (!sampler) return;
    this.#sampler = sampler;
    this.#ammeter = new Ammeter({ bits: sampler.bits, rate: sampler.rate, scale: options.scale, offset: options.offset, block: options.block });
    this.#samples = new Uint16Array(Math.ceil((sampler.rate * WINDOW_MS) / 1000));
  }

  /** The reported current (the ammeter's block average), mA. */
  get milliamps(): number {
    return this.#sense.milliamps;
  }

  /** The latest one-cycle reading, mA: what energy is counted from (it lags the current by ≤ one interval, not a block). */
  get lastMilliamps(): number {
    return this.#last;
  }

  /**
   * Until this time (ms) `measure` would do nothing, so the tick need not
   * call it: a millisecond before the next reading is due, so that rounding
   * in the sum never hides one (`measure` decides exactly). Infinity without
   * a sampler.
   */
  get quietUntil(): number {
    return this.#ammeter ? this.#lastReadingAt + this.#intervalMs - 1 : Infinity;
  }

  /** Takes a reading when one is due (call on every tick with the relay closed). */
  measure(now: number): void {
    const ammeter = this.#ammeter;
    if (!ammeter || now - this.#lastReadingAt < this.#intervalMs) return;
    this.#lastReadingAt = now;
    this.#measuring = true;
    const samples = this.#samples!;
    const avg = ammeter.measure(samples, this.#sampler!.sample(samples));
    if (avg !== undefined) this.#sense.milliamps = avg;
    this.#last = ammeter.lastMilliamps;
  }

  /** The relay is open: nothing flows, and the next charge averages afresh. */
  reset(): void {
    if (!this.#measuring) return;
    this.#measuring = false;
    this.#sense.milliamps = 0;
    this.#last = 0;
    // The first reading after the next close is due at once.
    this.#lastReadingAt = -Infinity;
    this.#ammeter!.reset();
  }

  /** `$SA`. */
  calibrate(scale: number, offset: number): void {
    if (!this.#ammeter) return;
    this.#ammeter.scale = scale;
    this.#ammeter.offset = offset;
  }
}
