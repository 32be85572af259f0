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
  /**
   * Noise on each sample, uniform in ±this many ADC counts (default 0: an
   * ideal ADC). A real ADC's ≥ 1 LSB of noise dithers its quantisation, so
   * the error of one reading (fixed by the sine's phase in a noiseless model,
   * up to 4·10⁻⁴) averages out over many; the energy-limit tests use 1.
   */
  noiseCounts?: number;
  /** Seed of the noise (default 1). */
  seed?: number;
}

export class SimCurrentTransformer implements CurrentSampler {
  readonly rate: number;
  readonly bits: number;
  readonly #mAPerCount: number;
  readonly #frequency: () => number;
  readonly #amps: () => number;
  #phase = 0;
  readonly #noise: number;
  #seed: number;

  constructor(options: SimCurrentTransformerOptions) {
    this.rate = options.rate ?? 4000;
    this.bits = options.bits ?? 12;
    this.#mAPerCount = options.milliampsPerCount ?? 220;
    this.#frequency = options.frequency;
    this.#amps = options.amps;
    this.#noise = options.noiseCounts ?? 0;
    this.#seed = (options.seed ?? 1) >>> 0 || 1;
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
    const noise = this.#noise;
    if (noise > 0) {
      // xorshift32: portable, seeded, cheap.
      let x = this.#seed;
      const k = (2 * noise) / 4294967296;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const v = (mid + peak * sin(phase) + (x >>> 0) * k - noise + 0.5) | 0;
        into[i] = v < 0 ? 0 : v > top ? top : v;
        phase += step;
      }
      this.#seed = x >>> 0 || 1;
    } else {
      for (let i = 0; i < n; i++) {
        const v = (mid + peak * sin(phase) + 0.5) | 0;
        into[i] = v < 0 ? 0 : v > top ? top : v;
        phase += step;
      }
    }
    this.#phase = phase % (2 * Math.PI);
    return n;
  }
}
