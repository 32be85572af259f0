// ammeter.ts computes a cycle's RMS with scans that skip work (cycleRms says
// how). This holds it to the definition written out sample by sample, as the
// ammeter was first written: it must return the very same number, for sines
// of every size, 50 and 60 Hz, noise, odd rates, hysteresis and debounce
// settings, windows cut short, flat and clipped signals.
import { describe, expect, it } from '../harness';
import { rmsCounts, type RmsOptions } from '../../../modules/j1772/ammeter';

function definition(samples: ArrayLike<number>, count: number, options: RmsOptions): number {
  const mid = 2 ** (options.bits - 1);
  const band = options.hysteresis ?? 2 ** options.bits / 256;
  const debounce = Math.max(1, Math.round(((options.debounceMs ?? 5) * options.rate) / 1000));
  const n = Math.min(count, samples.length);
  let side = 0;
  let lastMid = -1;
  let prevAbove = false;
  let crossings = 0;
  let start = -1;
  let lastCross = -debounce;
  let sum = 0;
  let samplesInCycle = 0;
  const fraction = (i: number) => (i <= 0 ? 0 : (samples[i] - mid) / (samples[i] - mid - (samples[i - 1] - mid)));
  for (let i = 0; i < n; i++) {
    const v = samples[i] - mid;
    const above = v >= 0;
    if (i === 0 || above !== prevAbove) lastMid = i;
    prevAbove = above;
    if (crossings >= 1) {
      sum += v * v;
      samplesInCycle++;
    }
    const now = v > band ? 1 : v < -band ? -1 : 0;
    if (now !== 0 && now !== side) {
      if (side !== 0 && lastMid - lastCross >= debounce) {
        crossings++;
        lastCross = lastMid;
        if (crossings === 1) {
          start = lastMid;
          for (let j = start; j <= i; j++) sum += (samples[j] - mid) ** 2;
          samplesInCycle = i - start + 1;
        } else if (crossings === 3) {
          for (let j = lastMid; j <= i; j++) sum -= (samples[j] - mid) ** 2;
          samplesInCycle -= i - lastMid + 1;
          const f1 = fraction(start);
          const f3 = fraction(lastMid);
          const va = samples[start] - mid;
          const vb = samples[lastMid - 1] - mid;
          sum += va * va * (f1 / 3 - 0.5) + vb * vb * ((1 - f3) / 3 - 0.5);
          const sa = start > 0 ? samples[start] - samples[start - 1] : 0;
          sum += (va * sa - vb * (samples[lastMid] - samples[lastMid - 1])) / 6;
          const length = samplesInCycle - 1 + f1 + (1 - f3);
          return length > 0 && sum > 0 ? Math.sqrt(sum / length) : 0;
        }
      }
      side = now;
    }
  }
  return 0;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('cycle RMS, against its sample-by-sample definition', () => {
  it('returns the same number for 3000 random windows', () => {
    const rnd = lcg(15);
    let read = 0;
    for (let t = 0; t < 3000; t++) {
      const bits = rnd() < 0.5 ? 12 : rnd() < 0.5 ? 10 : 8 + Math.floor(rnd() * 9);
      const top = 2 ** bits - 1;
      const mid = 2 ** (bits - 1);
      const rate = rnd() < 0.5 ? 4000 : 1000 + Math.floor(rnd() * 9000);
      const len = Math.floor(rnd() * 260);
      const shape = rnd();
      const amplitude = shape < 0.1 ? rnd() * 12 : shape < 0.15 ? mid * 1.5 : rnd() * mid;
      const hz = rnd() < 0.5 ? 50 : rnd() < 0.5 ? 60 : 20 + rnd() * 200;
      const phase = rnd() * 7;
      const noise = rnd() < 0.3 ? rnd() * 60 : 0;
      const s = new Uint16Array(len);
      for (let i = 0; i < len; i++) {
        const x = Math.round(mid + amplitude * Math.sin((2 * Math.PI * hz * i) / rate + phase) + (rnd() - 0.5) * noise);
        s[i] = x < 0 ? 0 : x > top ? top : x;
      }
      const options: RmsOptions = {
        bits,
        rate,
        hysteresis: rnd() < 0.2 ? rnd() * 40 : undefined,
        debounceMs: rnd() < 0.2 ? rnd() * 12 : undefined,
      };
      const count = rnd() < 0.2 ? Math.floor(rnd() * len * 1.3) : len;
      const want = definition(s, count, options);
      const got = rmsCounts(s, count, options);
      if (!Object.is(got, want)) expect({ t, got, options, count, samples: Array.from(s) }).toEqual({ t, got: want, options, count, samples: Array.from(s) });
      if (want > 0) read++;
    }
    // Most windows hold a whole cycle; the rest read 0 both ways.
    expect(read).toBeGreaterThan(1200);
  });

  it('a plain array and a typed array read alike', () => {
    const a = Array.from({ length: 150 }, (_, i) => Math.round(2048 + 900 * Math.sin((2 * Math.PI * 50 * i) / 4000 + 1)));
    const options = { bits: 12, rate: 4000 };
    expect(rmsCounts(a, a.length, options)).toBe(definition(a, a.length, options));
    expect(rmsCounts(Uint16Array.from(a), a.length, options)).toBe(definition(a, a.length, options));
  });
});
