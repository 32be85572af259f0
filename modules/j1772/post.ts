// The power-on self test (OpenEVSE doPost): with no EV, the pilot goes to
// −12 V so no car can start while the relay is exercised; AC with the relay
// open is a stuck relay; the relay is closed for 250 ms to see which lines
// are live (L1/L2) and that earth is there; then the GFCI self test. With an
// EV plugged in at power-on only the stuck-relay check and the GFCI test run,
// and the service level is detected on the first charge instead.

import type { Clock, Timers } from '../ports';
import { EvseState, Feature } from './evse-state';
import type { GfciSelfTest } from './gfci';
import { autoDetect, detectLevel, type ServiceLevel } from './service-level';

/** Relay settling time before the AC-sense lines are read. */
export const RELAY_SETTLE_MS = 250;

export interface PostResult {
  /** 0, or the fault state that failed: 07 no ground, 08 stuck relay, 09 GFCI self test. */
  failure: number;
  /** The level seen with the relay closed (auto detection only). */
  level?: ServiceLevel;
  /** An EV was connected, so auto detection waits for the first charge. */
  levelSkipped: boolean;
}

export interface PostOptions {
  clock: Clock;
  timers: Timers;
  /** How often a running GFCI self test is stepped, ms. */
  tickMs: number;
  selfTest: GfciSelfTest;
  /** Persistent feature flags ($GE), read once. */
  flags: number;
  evPresent: boolean;
  pilotLow(): void;
  setRelay(closed: boolean): void;
  liveLines(): number;
  /** The GFCI sensor's level: residual current with the relay open means the contactor conducts. */
  gfciTripped(): boolean;
  onDone(result: PostResult): void;
}

type Step = () => number; // ms to wait before the next step; -1: run this step again after a tick

export class PowerOnSelfTest {
  readonly #o: PostOptions;
  readonly #steps: Step[] = [];
  readonly #result: PostResult = { failure: EvseState.Unknown, levelSkipped: false };
  #index = 0;
  #cancelled = false;

  constructor(options: PostOptions) {
    this.#o = options;
    const o = options;
    const enabled = (bit: number) => (o.flags & bit) === 0;
    const r = this.#result;
    this.#steps.push(() => {
      if (!o.evPresent) o.pilotLow();
      // AC downstream, or residual current (the AC sense cannot see the lines without earth), with the relay open.
      if (enabled(Feature.StuckRelayCheckDisabled) && (o.liveLines() > 0 || o.gfciTripped())) r.failure = EvseState.StuckRelay;
      return 0;
    });
    let closedForLevel = false;
    if (autoDetect(o.flags)) {
      if (o.evPresent) r.levelSkipped = true;
      else {
        this.#steps.push(() => {
          // Never close onto a tripped sensor (with $FF R 0 the GFCI self test then fails: the sensor is not quiet).
          if (r.failure || o.gfciTripped()) return 0;
          closedForLevel = true;
          o.setRelay(true);
          return RELAY_SETTLE_MS;
        });
        this.#steps.push(() => {
          if (r.failure || !closedForLevel) return 0;
          const level = detectLevel(o.liveLines());
          o.setRelay(false);
          if (level) r.level = level;
          else if (enabled(Feature.GroundCheckDisabled)) r.failure = EvseState.NoGround;
          return 0;
        });
      }
    }
    let testStarted = false;
    this.#steps.push(() => {
      if (r.failure || !enabled(Feature.GfciSelfTestDisabled)) return 0;
      if (!testStarted) {
        testStarted = true;
        o.selfTest.begin(o.clock.now());
      }
      const t = o.selfTest.step(o.clock.now());
      if (t === 'running') return -1;
      if (t === 'failed') r.failure = EvseState.GfciTestFailed;
      return 0;
    });
  }

  start(): void {
    this.#run();
  }

  /** Abandons the test (stop or reboot while it runs); onDone is not called. */
  cancel(): void {
    this.#cancelled = true;
  }

  #run(): void {
    if (this.#cancelled) return;
    while (this.#index < this.#steps.length) {
      const wait = this.#steps[this.#index]();
      if (wait < 0) {
        this.#o.timers.set(() => this.#run(), this.#o.tickMs);
        return;
      }
      this.#index++;
      if (wait > 0) {
        this.#o.timers.set(() => this.#run(), wait);
        return;
      }
    }
    this.#o.onDone(this.#result);
  }
}
