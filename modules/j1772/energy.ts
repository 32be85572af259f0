// Energy delivered to the EV, in watt-seconds, exact: the meter integrates
// mV × mA × ms (nanojoules) in integers and carries the sub-watt-second
// remainder forward, where OpenEVSE drops it every 250 ms step.

const NJ_PER_WS = 1_000_000_000;
/** mV × mA stays below 2^35 (300 V × 100 A); this many ms keeps the product below 2^53. */
const MAX_STEP_MS = 200_000;

export interface EnergyMeterOptions {
  /** Lifetime total carried over from storage, Ws. */
  totalWs?: number;
  /** Three phases carry the measured current each (OpenEVSE THREEPHASE build). */
  phases?: 1 | 3;
}

export class EnergyMeter {
  #sessionWs = 0;
  #remainderNj = 0;
  /** Between startSession and endSession. */
  #open = false;
  #totalWs: number;
  readonly #phases: number;
  /**
   * `add` runs on every control tick with the same voltage and current for
   * the ammeter's whole interval, so steps at the same mV and mA are summed
   * here and multiplied once, when the current changes or the energy is read
   * (#settle). The integer total is the same as step by step: the sum of the
   * products is exact, and the remainder is carried either way.
   */
  #pendingMv = 0;
  #pendingMa = 0;
  #pendingMs = 0;

  constructor(options: EnergyMeterOptions = {}) {
    this.#totalWs = options.totalWs ?? 0;
    this.#phases = options.phases ?? 1;
  }

  /** Adds `ms` of `mA` at `mV`. Non-integer inputs are rounded; negatives count as 0. */
  add(mV: number, mA: number, ms: number): void {
    // Comparisons before Math.round rather than Math.max around it: this runs on every tick.
    const t = ms > 0 ? Math.round(ms) : 0;
    if (mV !== this.#pendingMv || mA !== this.#pendingMa) {
      if (this.#pendingMs > 0) this.#settle();
      this.#pendingMv = mV;
      this.#pendingMa = mA;
    }
    this.#pendingMs += t;
  }

  #settle(): void {
    const mV = this.#pendingMv;
    const mA = this.#pendingMa;
    const v = mV > 0 ? Math.round(mV) : 0;
    const i = (mA > 0 ? Math.round(mA) : 0) * this.#phases;
    let t = this.#pendingMs;
    this.#pendingMs = 0;
    while (t > 0) {
      const step = t < MAX_STEP_MS ? t : MAX_STEP_MS;
      t -= step;
      const nj = v * i * step + this.#remainderNj;
      const ws = Math.floor(nj / NJ_PER_WS);
      this.#remainderNj = nj - ws * NJ_PER_WS;
      this.#sessionWs += ws;
    }
  }

  /** Energy of the current (or last) session, Ws. */
  get sessionWs(): number {
    if (this.#pendingMs > 0) this.#settle();
    return this.#sessionWs;
  }

  /** Lifetime energy including the running session, Ws. */
  get totalWs(): number {
    if (this.#pendingMs > 0) this.#settle();
    return this.#totalWs + (this.#open ? this.#sessionWs : 0);
  }

  /**
   * Lifetime energy of the finished sessions in whole Wh, as $GU reports it:
   * OpenEVSE adds a session to the total when it ends, and clients that add
   * the two figures must not count the running session twice.
   */
  get totalWh(): number {
    return Math.floor(this.#totalWs / 3600);
  }

  /** Starts a new, empty session (ending a running one first). */
  startSession(): void {
    this.endSession();
    this.#pendingMs = 0;
    this.#sessionWs = 0;
    this.#remainderNj = 0;
    this.#open = true;
  }

  /** Adds the session to the lifetime total; its figure stays readable until the next one starts. */
  endSession(): void {
    if (!this.#open) return;
    if (this.#pendingMs > 0) this.#settle();
    this.#totalWs += this.#sessionWs;
    this.#open = false;
  }

  /** $SK: sets the total of the finished sessions, Wh. */
  setTotalWh(wh: number): void {
    this.#totalWs = Math.max(0, Math.round(wh)) * 3600;
  }

  get sessionOpen(): boolean {
    return this.#open;
  }
}
