// The ground-fault interrupter's self test. (The retry policy shared by GFCI
// and no-ground faults is in faults.ts.)
//
// Self test (before every relay close and at power-on, as UL 2231 wants): the
// sensor must be quiet, then must trip while the test winding is driven, then
// must be quiet again. A sensor that never trips would not protect anyone.

import type { GfciInput, GfciTestOutput } from '../ports';
import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

/** The retry policy's defaults, under their first names (UL 2231 guidance: 15 min × 4; see faults.ts). */
export { RETRY_DELAY_MS as GFCI_RETRY_DELAY_MS, RETRY_COUNT as GFCI_RETRY_COUNT } from './faults';

/** Time budgets of the self-test phases (OpenEVSE: 20×50 ms, 60 cycles of ~16.7 ms, 40×50 ms). */
export const SELF_TEST_QUIET_MS = 1000;
export const SELF_TEST_PULSE_MS = 1000;
export const SELF_TEST_CLEAR_MS = 2000;

export type SelfTestResult = 'running' | 'passed' | 'failed';

const enum Phase { Quiet, Pulse, Clear, Done }

export class GfciSelfTest {
  readonly #sensor: GfciInput;
  readonly #winding: GfciTestOutput;
  #phase = Phase.Done;
  #since = 0;
  #sawTrip = false;
  #result: SelfTestResult = 'passed';
  /** Where `running` is kept (the controller's Sense, faults.ts): the control tick reads it there without a call. */
  readonly #sense: Pick<Sense, 'selfTesting'>;

  constructor(sensor: GfciInput, winding: GfciTestOutput, sense: Pick<Sense, 'selfTesting'> = { selfTesting: false }) {
    this.#sensor = sensor;
    this.#winding = winding;
    this.#sense = sense;
    sense.selfTesting = false;
  }

  /** True between `begin` and the result: a trip edge then belongs to the test. */
  get running(): boolean {
    return this.#sense.selfTesting;
  }

  begin(now: number): void {
    this.#phase = Phase.Quiet;
    this.#sense.selfTesting = true;
    this.#since = now;
    this.#sawTrip = false;
    this.#result = 'running';
    this.step(now);
  }

  /** The sensor's trip edge while the test runs. */
  tripped(): void {
    if (this.#phase === Phase.Pulse) this.#sawTrip = true;
  }

  /** Advances the test; call on every controller tick while it runs. */
  step(now: number): SelfTestResult {
    switch (this.#phase) {
      case Phase.Quiet:
        if (!this.#sensor.read()) {
          this.#phase = Phase.Pulse;
          this.#since = now;
          this.#winding.set(true);
          if (this.#sensor.read()) this.#sawTrip = true;
          if (this.#sawTrip) this.#endPulse(now);
        } else if (now - this.#since >= SELF_TEST_QUIET_MS) {
          this.#finish('failed');
        }
        break;
      case Phase.Pulse:
        if (this.#sensor.read()) this.#sawTrip = true;
        if (this.#sawTrip) this.#endPulse(now);
        else if (now - this.#since >= SELF_TEST_PULSE_MS) this.#finish('failed');
        break;
      case Phase.Clear:
        if (!this.#sensor.read()) this.#finish('passed');
        else if (now - this.#since >= SELF_TEST_CLEAR_MS) this.#finish('failed');
        break;
    }
    return this.#result;
  }

  /** Abandons a running test with the winding off. */
  cancel(): void {
    if (this.#phase === Phase.Done) return;
    this.#winding.set(false);
    this.#phase = Phase.Done;
    this.#sense.selfTesting = false;
    this.#result = 'failed';
  }

  #endPulse(now: number): void {
    this.#winding.set(false);
    this.#phase = Phase.Clear;
    this.#since = now;
    if (!this.#sensor.read()) this.#finish('passed');
  }

  #finish(result: SelfTestResult): void {
    this.#winding.set(false);
    this.#phase = Phase.Done;
    this.#sense.selfTesting = false;
    this.#result = result;
  }
}

/**
 * The sensor's level, checked on every tick with the relay closed: the trip
 * edge opens the relay at once (`EvseController.gfciTripped`), and this finds
 * a trip whose edge was missed or arrived while the self test owned it.
 */
export class GfciLevelCheck implements SafetyCheck {
  readonly fault = EvseState.GfciFault;

  evaluate(s: Sense): boolean {
    return s.relayClosed && s.gfci;
  }

  reset(): void {}
}
