import { describe, it, expect } from '../harness';
import { Ammeter, countsToMilliamps, DEFAULT_BLOCK, DEFAULT_OFFSET, DEFAULT_SCALE, rmsCounts } from '../../../modules/j1772/ammeter';

/** A deterministic pseudo-random source (XS and Node give the same sequence). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** CT samples of a sine of `amplitude` counts around mid-scale, plus uniform noise of ±noise counts. */
function sine(opts: { bits: number; rate: number; hz: number; amplitude: number; n: number; noise?: number; phase?: number }): Uint16Array {
  const mid = 2 ** (opts.bits - 1);
  const rnd = lcg(7);
  const out = new Uint16Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    const noise = opts.noise ? (rnd() * 2 - 1) * opts.noise : 0;
    out[i] = Math.round(mid + opts.amplitude * Math.sin((2 * Math.PI * opts.hz * i) / opts.rate + (opts.phase ?? 0.3)) + noise);
  }
  return out;
}

describe('true RMS over one mains cycle', () => {
  it('a 60 Hz sine sampled at 4 kHz reads amplitude / √2', () => {
    const s = sine({ bits: 10, rate: 4000, hz: 60, amplitude: 200, n: 140 }); // 35 ms window
    // 4000 / 60 = 66.7 samples a cycle: the window is 66 or 67 samples, so the
    // mean square can be off by up to one sample in 66 (≤ 0.76 % in RMS).
    const r = rmsCounts(s, s.length, { bits: 10, rate: 4000 });
    expect(Math.abs(r - 200 / Math.SQRT2) / (200 / Math.SQRT2)).toBeLessThan(0.0076);
  });
  it('a 50 Hz sine reads the same without any setting', () => {
    const s = sine({ bits: 12, rate: 4000, hz: 50, amplitude: 800, n: 140 });
    const r = rmsCounts(s, s.length, { bits: 12, rate: 4000 });
    expect(Math.abs(r - 800 / Math.SQRT2) / (800 / Math.SQRT2)).toBeLessThan(0.005);
  });
  it('a square wave reads its amplitude (true RMS, not a scaled average)', () => {
    const n = 160;
    const s = new Uint16Array(n);
    for (let i = 0; i < n; i++) s[i] = 512 + (Math.floor((i + 10) / 40) % 2 === 0 ? 100 : -100); // 50 Hz at 4 kHz
    expect(rmsCounts(s, n, { bits: 10, rate: 4000 })).toBeCloseTo(100, 6);
  });
  it('noise adds in quadrature and makes no false crossings', () => {
    const s = sine({ bits: 10, rate: 4000, hz: 60, amplitude: 100, n: 140, noise: 3 });
    // uniform noise of ±3 counts has σ² = 3²/3 = 3 (plus 1/12 from rounding)
    const expected = Math.sqrt(100 * 100 / 2 + 3 + 1 / 12);
    const r = rmsCounts(s, s.length, { bits: 10, rate: 4000 });
    expect(Math.abs(r - expected) / expected).toBeLessThan(0.02);
  });
  it('a window with no crossings reads 0', () => {
    const flat = sine({ bits: 10, rate: 4000, hz: 60, amplitude: 0, n: 140, noise: 3 });
    expect(rmsCounts(flat, flat.length, { bits: 10, rate: 4000 })).toBe(0);
    const dc = new Uint16Array(140).fill(900);
    expect(rmsCounts(dc, dc.length, { bits: 10, rate: 4000 })).toBe(0);
  });
  it('a window shorter than a cycle reads 0', () => {
    const s = sine({ bits: 10, rate: 4000, hz: 50, amplitude: 300, n: 60 }); // 15 ms < 20 ms
    expect(rmsCounts(s, s.length, { bits: 10, rate: 4000 })).toBe(0);
  });
  it('reads only the first `count` samples', () => {
    const s = sine({ bits: 10, rate: 4000, hz: 60, amplitude: 200, n: 400 });
    expect(rmsCounts(s, 50, { bits: 10, rate: 4000 })).toBe(0);
  });
});

describe('calibration as $SA / $GA define it', () => {
  it('mA = rms_counts × scale − offset, clamped at 0; defaults 220 and 0', () => {
    expect(DEFAULT_SCALE).toBe(220);
    expect(DEFAULT_OFFSET).toBe(0);
    expect(countsToMilliamps(10, 220, 0)).toBe(2200);
    expect(countsToMilliamps(10, 182, 100)).toBe(1720);
    expect(countsToMilliamps(1, 220, 5000)).toBe(0);
  });
  it('32 A through a default-calibrated 10-bit CT reads 32 A after a 32-reading block', () => {
    expect(DEFAULT_BLOCK).toBe(32);
    const amplitude = (32000 / 220) * Math.SQRT2; // counts for 32 A RMS at 220 mA/count
    const s = sine({ bits: 10, rate: 4000, hz: 60, amplitude, n: 140 });
    const meter = new Ammeter({ bits: 10, rate: 4000 });
    // The first block reports the mean so far from its first reading…
    for (let i = 0; i < 32; i++) expect(Math.abs((meter.measure(s, s.length) ?? -1) - 32000)).toBeLessThan(32000 * 0.01);
    // …then a new average once per block.
    for (let i = 0; i < 31; i++) expect(meter.measure(s, s.length)).toBeUndefined();
    const mA = meter.measure(s, s.length) ?? -1;
    expect(Math.abs(mA - 32000)).toBeLessThan(32000 * 0.01);
    expect(meter.milliamps).toBe(mA);
  });

  it('a cycle of a non-whole number of samples (60 Hz at 4 kHz: 66⅔) reads within 0.01 % on average, whatever its phase', () => {
    // The window is cut at interpolated crossings, so the mean over phases is not biased by the ±1 sample of the window.
    const amplitude = (32000 / 220) * Math.SQRT2 * 4;
    let sum = 0;
    const phases = 97;
    for (let k = 0; k < phases; k++) {
      const s = new Uint16Array(160);
      for (let i = 0; i < s.length; i++) s[i] = Math.round(2048 + amplitude * Math.sin((2 * Math.PI * 60 * i) / 4000 + (2 * Math.PI * k) / phases));
      const meter = new Ammeter({ bits: 12, rate: 4000, block: 1 });
      sum += meter.measure(s, s.length) ?? -1;
    }
    expect(Math.abs(sum / phases - 32000)).toBeLessThan(32000 * 0.0001);
  });
  it('a 12-bit ADC is normalised to 10-bit counts so $SA values carry over', () => {
    const amplitude10 = (16000 / 220) * Math.SQRT2;
    const s12 = sine({ bits: 12, rate: 4000, hz: 50, amplitude: amplitude10 * 4, n: 140 });
    const meter = new Ammeter({ bits: 12, rate: 4000, block: 1 });
    const mA = meter.measure(s12, s12.length) ?? -1;
    expect(Math.abs(mA - 16000)).toBeLessThan(16000 * 0.01);
  });
  it('scale 0 disables the reading; reset forgets a partial block', () => {
    const s = sine({ bits: 10, rate: 4000, hz: 60, amplitude: 100, n: 140 });
    const off = new Ammeter({ bits: 10, rate: 4000, scale: 0, block: 1 });
    expect(off.measure(s, s.length)).toBe(0);
    const m = new Ammeter({ bits: 10, rate: 4000, block: 2 });
    m.measure(s, s.length);
    m.measure(s, s.length);
    expect(m.measure(s, s.length)).toBeUndefined(); // in the second block
    m.reset();
    expect(m.milliamps).toBe(0);
    expect(m.lastMilliamps).toBe(0);
    // After a reset the first reading is reported at once again.
    expect(m.measure(s, s.length)).toBe(m.lastMilliamps);
    expect(() => new Ammeter({ bits: 4, rate: 4000 })).toThrow('not supported');
  });
});
