// A current transformer on an ADC: a sine of the drawn current around
// mid-scale, scaled so that OpenEVSE's default calibration (220 mA per 10-bit
// count of RMS) reads it back. The phase runs on from window to window.

import type { CurrentSampler } from '../modules/ports';

export interface SimCurrentTransformerOptions {
  /** Samples per second (default 4000). */
  rate?: number;
  /** ADC bits (default 12). */
  bits?: number;
  /** mA of RMS current per 10-bit count of RMS signal (default 220). */
  milliampsPerCount?: number;
  /** Mains frequency, Hz. */
  frequency: () => number;
  /** The current flowing now, A RMS. */
  amps: () => number;
}

export class SimCurrentTransformer implements CurrentSampler {
  readonly rate: number;
  readonly bits: number;
  readonly #mAPerCount: number;
  readonly #frequency: () => number;
  readonly #amps: () => number;
  #phase = 0;

  constructor(options: SimCurrentTransformerOptions) {
    this.rate = options.rate ?? 4000;
    this.bits = options.bits ?? 12;
    this.#mAPerCount = options.milliampsPerCount ?? 220;
    this.#frequency = options.frequency;
    this.#amps = options.amps;
  }

  sample(into: Uint16Array): number {
    const mid = 2 ** (this.bits - 1);
    const top = 2 ** this.bits - 1;
    // RMS counts at 10 bits → peak counts at this ADC's resolution.
    const peak = ((this.#amps() * 1000) / this.#mAPerCount) * 2 ** (this.bits - 10) * Math.SQRT2;
    const step = (2 * Math.PI * this.#frequency()) / this.rate;
    for (let i = 0; i < into.length; i++) {
      const v = Math.round(mid + peak * Math.sin(this.#phase));
      into[i] = v < 0 ? 0 : v > top ? top : v;
      this.#phase += step;
    }
    this.#phase %= 2 * Math.PI;
    return into.length;
  }
}
