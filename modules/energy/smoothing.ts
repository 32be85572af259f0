// The exponential input filter of OpenEVSE's divert and shaper
// (input_filter.cpp): each new sample pulls the smoothed value towards it by
// 1 − e^(−Δt/τ), with τ the attack time while the input rises above the
// smoothed value and the decay time while it falls below. So a step in solar
// power reaches 63 % of its height after one τ, 95 % after three.
//
// One deliberate difference: OpenEVSE truncates Δt to whole seconds; here Δt
// is exact (ms), so an input every 500 ms is not frozen at Δt = 0.

/** OpenEVSE's INPUT_FILTER_MIN_TAU: shorter time constants are raised to this, s. */
export const MIN_TAU_S = 10;

/** The share of the step a sample Δt after the last covers, for a time constant τ (0 = no filtering). */
export function filterFactor(dtMs: number, tauS: number): number {
  if (!(tauS > 0)) return 1;
  const tau = Math.max(tauS, MIN_TAU_S) * 1000;
  return 1 - Math.exp(-Math.max(0, dtMs) / tau);
}

/** An attack/decay exponential filter fed samples at arbitrary times. */
export class AttackDecayFilter {
  #value = 0;
  #at: number | undefined;

  get value(): number {
    return this.#value;
  }

  /**
   * Feeds `input` sampled at `now` (ms), with the time constants (s) for a
   * rising and a falling input; returns the new smoothed value. The first
   * sample only starts the clock, as in OpenEVSE.
   */
  add(input: number, now: number, attackS: number, decayS: number): number {
    const dt = this.#at === undefined ? 0 : now - this.#at;
    this.#at = now;
    const k = filterFactor(dt, input > this.#value ? attackS : decayS);
    this.#value = input * k + this.#value * (1 - k);
    return this.#value;
  }

  /** Back to 0 with no history (a mode change, stale data). */
  reset(value = 0): void {
    this.#value = value;
    this.#at = undefined;
  }
}
