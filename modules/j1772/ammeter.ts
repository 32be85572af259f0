// True-RMS charging current from current-transformer ADC samples, calibrated
// the way OpenEVSE's $SA / $GA define it: mA = rms_counts × scale − offset.

/** OpenEVSE v2.5/v3 defaults (22 Ω burden). */
export const DEFAULT_SCALE = 220;
export const DEFAULT_OFFSET = 0;
/** OpenEVSE averages this many readings before reporting one (MA_PTS). */
export const DEFAULT_BLOCK = 32;

/**
 * $SA scale and offset are per count of a 10-bit ADC (the AVR's). Readings
 * from a wider ADC are normalised to 10-bit counts so calibration values move
 * between an OpenEVSE board and this firmware unchanged.
 */
export const CALIBRATION_BITS = 10;

export interface RmsOptions {
  /** ADC resolution in bits; mid-scale 2^(bits−1) is 0 A. */
  bits: number;
  /** Samples per second. */
  rate: number;
  /**
   * Hysteresis around mid-scale, in counts: the signal must leave the band on
   * the other side before a crossing counts, so noise smaller than this never
   * makes one. Default: 1/256 of full scale (4 counts at 10 bits).
   */
  hysteresis?: number;
  /** Crossings closer than this (ms) are bounces, as in OpenEVSE (5 ms). */
  debounceMs?: number;
}

/**
 * RMS of the AC component over exactly one mains cycle, in raw counts.
 *
 * The cycle runs from the first mid-scale crossing to the third (one rising and
 * one falling edge later), so 50 Hz and 60 Hz need no setting. A window with
 * fewer than three crossings (no current, or too short) reads 0.
 * Reads `samples[0 … count)`; allocates nothing.
 *
 * The mean square divides the samples' sum by the cycle's length in
 * fractional samples (each crossing interpolated between the two samples
 * around it), not by the whole number of samples in the window: a cycle of
 * 66⅔ samples (60 Hz at 4 kHz) would otherwise read ±0.75 % off, 0.125 % high
 * on average. The sum needs no such correction, since the signal is ~0 at
 * both ends of the window.
 */
export function rmsCounts(samples: ArrayLike<number>, count: number, options: RmsOptions): number {
  return cycleRms(samples, count, rmsParams(options));
}

/** RmsOptions worked out once: mid-scale, hysteresis band (counts) and debounce (samples). */
export interface RmsParams {
  readonly mid: number;
  readonly band: number;
  readonly debounce: number;
}

export function rmsParams(options: RmsOptions): RmsParams {
  return {
    mid: 2 ** (options.bits - 1),
    band: options.hysteresis ?? 2 ** options.bits / 256,
    debounce: Math.max(1, Math.round(((options.debounceMs ?? 5) * options.rate) / 1000)),
  };
}

/**
 * rmsCounts with its options worked out. Written for the XS meter, where
 * every bytecode counts and a reading runs ten times a second while charging:
 * a crossing is only looked for on the side the signal is not on, so a
 * sample costs one comparison; where the signal crossed mid is found by
 * looking back from the sample that left the band, not tracked on every
 * sample; the squares are summed only between the first and the third
 * crossing; and the scans take four samples a turn. The result is the same
 * number as the sample-by-sample definition (test/cases/j1772/
 * ammeter-equivalence.case.ts holds it to that): the sums are of integers,
 * exact in any order.
 */
export function cycleRms(samples: ArrayLike<number>, count: number, params: RmsParams): number {
  const mid = params.mid;
  const band = params.band;
  const negBand = -band;
  const hi = mid + band;
  const lo = mid - band;
  const debounce = params.debounce;
  const n = count < samples.length ? count : samples.length;
  const last4 = n - 3;
  // Until the signal first leaves the band no side is known, and leaving it is no crossing.
  let i = 0;
  let side = 0; // +1 above the band, −1 below
  for (; i < n; i++) {
    const x = samples[i];
    if (x > hi) {
      side = 1;
      break;
    }
    if (x < lo) {
      side = -1;
      break;
    }
  }
  let crossings = 0;
  let lastCross = -debounce;
  let start = -1;
  let sum = 0;
  for (i++; i < n; i++) {
    // On to the next sample beyond the band on the other side, four samples
    // a turn (the loop's own bytecode would be a third of the work), then
    // one at a time to the end.
    if (crossings === 0) {
      if (side > 0) {
        for (; i < last4; i += 4) {
          if (samples[i] < lo) break;
          if (samples[i + 1] < lo) { i += 1; break; }
          if (samples[i + 2] < lo) { i += 2; break; }
          if (samples[i + 3] < lo) { i += 3; break; }
        }
        for (; i < n; i++) if (samples[i] < lo) break;
      } else {
        for (; i < last4; i += 4) {
          if (samples[i] > hi) break;
          if (samples[i + 1] > hi) { i += 1; break; }
          if (samples[i + 2] > hi) { i += 2; break; }
          if (samples[i + 3] > hi) { i += 3; break; }
        }
        for (; i < n; i++) if (samples[i] > hi) break;
      }
    } else {
      // Inside the cycle: each sample's square is summed on the way, the one
      // that leaves the band included (the third crossing takes it off again).
      let found = false;
      if (side > 0) {
        for (; i < last4; i += 4) {
          const a = samples[i] - mid;
          sum += a * a;
          if (a < negBand) { found = true; break; }
          const b = samples[i + 1] - mid;
          sum += b * b;
          if (b < negBand) { found = true; i += 1; break; }
          const c = samples[i + 2] - mid;
          sum += c * c;
          if (c < negBand) { found = true; i += 2; break; }
          const d = samples[i + 3] - mid;
          sum += d * d;
          if (d < negBand) { found = true; i += 3; break; }
        }
        if (!found) {
          for (; i < n; i++) {
            const v = samples[i] - mid;
            sum += v * v;
            if (v < negBand) break;
          }
        }
      } else {
        for (; i < last4; i += 4) {
          const a = samples[i] - mid;
          sum += a * a;
          if (a > band) { found = true; break; }
          const b = samples[i + 1] - mid;
          sum += b * b;
          if (b > band) { found = true; i += 1; break; }
          const c = samples[i + 2] - mid;
          sum += c * c;
          if (c > band) { found = true; i += 2; break; }
          const d = samples[i + 3] - mid;
          sum += d * d;
          if (d > band) { found = true; i += 3; break; }
        }
        if (!found) {
          for (; i < n; i++) {
            const v = samples[i] - mid;
            sum += v * v;
            if (v > band) break;
          }
        }
      }
    }
    if (i >= n) break;
    side = -side;
    // Where the raw signal last changed sides of mid, at or before i.
    let lastMid = i;
    while (lastMid > 0 && (samples[lastMid] >= mid) === (samples[lastMid - 1] >= mid)) lastMid--;
    // Crossings closer than the debounce are bounces: the side changes, the count does not.
    if (lastMid - lastCross < debounce) continue;
    crossings++;
    lastCross = lastMid;
    if (crossings === 1) {
      start = lastMid;
      // Samples from the crossing up to here belong to the cycle.
      for (let j = start; j <= i; j++) {
        const w = samples[j] - mid;
        sum += w * w;
      }
    } else if (crossings === 3) {
      // The cycle ends just before the third crossing's first sample.
      for (let j = lastMid; j <= i; j++) {
        const w = samples[j] - mid;
        sum -= w * w;
      }
      const samplesInCycle = lastMid - start;
      // The cycle is [start − f1, lastMid − f3] in fractional samples. The
      // sum becomes its integral once each end is corrected for where the
      // signal really crosses (it is ~linear there, its square ~quadratic,
      // so an end sample v at distance d from the crossing adds
      // v² × (d/3 − 1/2)) and for the trapezoid rule's slope term.
      const f1 = crossingFraction(samples, start, mid);
      const f3 = crossingFraction(samples, lastMid, mid);
      const va = samples[start] - mid;
      const vb = samples[lastMid - 1] - mid;
      sum += va * va * (f1 / 3 - 0.5) + vb * vb * ((1 - f3) / 3 - 0.5);
      // Euler–Maclaurin's first term for the trapezoid over [start, lastMid − 1]: −(f'(b) − f'(a)) / 12, f = v².
      const sa = start > 0 ? samples[start] - samples[start - 1] : 0;
      sum += (va * sa - vb * (samples[lastMid] - samples[lastMid - 1])) / 6;
      const length = samplesInCycle - 1 + f1 + (1 - f3);
      return length > 0 && sum > 0 ? Math.sqrt(sum / length) : 0;
    }
  }
  return 0;
}

/**
 * Where between samples `i − 1` and `i` (which lie on opposite sides of mid)
 * the signal crossed mid, as the fraction of a sample before `i`.
 */
function crossingFraction(samples: ArrayLike<number>, i: number, mid: number): number {
  if (i <= 0) return 0;
  const a = samples[i - 1] - mid;
  const b = samples[i] - mid;
  return b / (b - a);
}

/** Milliamps from an RMS count normalised to 10 bits; clamped at 0 like OpenEVSE. */
export function countsToMilliamps(rms10: number, scale: number, offset: number): number {
  const mA = Math.round(rms10 * scale - offset);
  return mA > 0 ? mA : 0;
}

export interface AmmeterOptions {
  bits: number;
  rate: number;
  scale?: number;
  offset?: number;
  /** Readings averaged into one reported value. */
  block?: number;
  hysteresis?: number;
}

/**
 * Block-averaging ammeter. Each `measure()` computes one cycle's RMS; every
 * `block` of them produce a new `milliamps` value (non-overlapping, as
 * OpenEVSE's 32-point average). Until the first block after a reset is
 * complete, `milliamps` is the mean of the readings so far, so current is
 * reported from the first reading after the relay closes, not a block later.
 * `lastMilliamps` is the latest single reading (energy is counted from it).
 */
export class Ammeter {
  scale: number;
  offset: number;
  readonly #rms: RmsParams;
  readonly #block: number;
  readonly #normalise: number;
  #sum = 0;
  #n = 0;
  #milliamps = 0;
  #last = 0;
  /** A whole block has completed since the last reset. */
  #filled = false;

  constructor(options: AmmeterOptions) {
    if (!Number.isInteger(options.bits) || options.bits < 8 || options.bits > 16) {
      throw new RangeError(`ADC resolution ${options.bits} bits is not supported`);
    }
    if (!(options.rate > 0)) throw new RangeError('sample rate must be positive');
    this.scale = options.scale ?? DEFAULT_SCALE;
    this.offset = options.offset ?? DEFAULT_OFFSET;
    this.#block = options.block ?? DEFAULT_BLOCK;
    if (!Number.isInteger(this.#block) || this.#block < 1) throw new RangeError('block must be a positive integer');
    this.#rms = rmsParams({ bits: options.bits, rate: options.rate, hysteresis: options.hysteresis });
    this.#normalise = 2 ** (CALIBRATION_BITS - options.bits);
  }

  /** The latest block average, in mA (0 until the first block completes). */
  get milliamps(): number {
    return this.#milliamps;
  }

  /** RMS of one window in 10-bit counts, without touching the average. */
  rms(samples: ArrayLike<number>, count: number): number {
    return cycleRms(samples, count, this.#rms) * this.#normalise;
  }

  /** The latest single reading, mA (0 after a reset). */
  get lastMilliamps(): number {
    return this.#last;
  }

  /** Adds one window's reading; returns the new average when a block completes (or while the first fills), else undefined. */
  measure(samples: ArrayLike<number>, count: number): number | undefined {
    const rms = this.rms(samples, count);
    const scale = this.scale;
    this.#last = scale === 0 ? 0 : countsToMilliamps(rms, scale, this.offset);
    this.#sum += rms;
    const n = ++this.#n;
    if (n < this.#block) {
      if (this.#filled) return undefined;
      return (this.#milliamps = scale === 0 ? 0 : countsToMilliamps(this.#sum / n, scale, this.offset));
    }
    this.#milliamps = scale === 0 ? 0 : countsToMilliamps(this.#sum / n, scale, this.offset);
    this.#sum = 0;
    this.#n = 0;
    this.#filled = true;
    return this.#milliamps;
  }

  /** Forgets a partial block and the last values (e.g. when the relay opens). */
  reset(): void {
    this.#sum = 0;
    this.#n = 0;
    this.#milliamps = 0;
    this.#last = 0;
    this.#filled = false;
  }
}
