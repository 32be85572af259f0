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

  constructor(options: EnergyMeterOptions = {}) {
    this.#totalWs = options.totalWs ?? 0;
    this.#phases = options.phases ?? 1;
  }

  /** Adds `ms` of `mA` at `mV`. Non-integer inputs are rounded; negatives count as 0. */
  add(mV: number, mA: number, ms: number): void {
    // Comparisons before Math.round rather than Math.max around it: this runs on every tick.
    const v = mV > 0 ? Math.round(mV) : 0;
    const i = (mA > 0 ? Math.round(mA) : 0) * this.#phases;
    let t = ms > 0 ? Math.round(ms) : 0;
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
    return this.#sessionWs;
  }

  /** Lifetime energy including the running session, Ws. */
  get totalWs(): number {
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
    this.#sessionWs = 0;
    this.#remainderNj = 0;
    this.#open = true;
  }

  /** Adds the session to the lifetime total; its figure stays readable until the next one starts. */
  endSession(): void {
    if (!this.#open) return;
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
