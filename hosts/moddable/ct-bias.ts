// Re-centres a window of CT samples on the ADC's mid-scale count, which is
// where the portable ammeter (modules/j1772/ammeter) takes zero current to be.
// The board's bias divider cannot put it there exactly: with 5 % resistors the
// bias moves by about ±50 mV (±80 counts), and read against a fixed mid-scale
// that offset would be measured as current. The bias is estimated per window
// as the midpoint of the extremes, which for a sine over a whole cycle is its
// centre, and costs two passes over the window and no allocation.

export function centreOnMidScale(samples: Uint16Array, count: number, bits: number): void {
  const n = Math.min(count, samples.length);
  if (n === 0) return;
  let lo = samples[0];
  let hi = lo;
  for (let i = 1; i < n; i++) {
    const v = samples[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  const shift = 2 ** (bits - 1) - Math.round((lo + hi) / 2);
  if (shift === 0) return;
  const top = 2 ** bits - 1;
  for (let i = 0; i < n; i++) {
    const v = samples[i] + shift;
    samples[i] = v < 0 ? 0 : v > top ? top : v;
  }
}
