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
    // Written for the XS bytecode count, as it runs 4000 times a simulated
    // second: locals instead of property reads, and `| 0` for Math.round
    // (the same for x ≥ −0.5; anything lower is clamped to 0 either way).
    const sin = Math.sin;
    const n = into.length;
    let phase = this.#phase;
    for (let i = 0; i < n; i++) {
      const v = (mid + peak * sin(phase) + 0.5) | 0;
      into[i] = v < 0 ? 0 : v > top ? top : v;
      phase += step;
    }
    this.#phase = phase % (2 * Math.PI);
    return n;
  }
}
