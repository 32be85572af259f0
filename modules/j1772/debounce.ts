// The pilot-state debounce: a new pilot state must hold for a while before the
// controller acts on it, so a glitch on the wire changes nothing. A step that
// removes power (into A, out of C, a shorted or negative pilot, a missing
// diode) holds for less, because IEC 61851-1 wants the power off within
// 100 ms of the EV leaving C; OpenEVSE waits 250 ms for every step.

import { EvseState } from './evse-state';

/** A new pilot state must be seen this long before the controller acts on it (OpenEVSE). */
export const DEBOUNCE_MS = 250;
/** …except a step that removes power, which must act within IEC's 100 ms. */
export const DEBOUNCE_DOWN_MS = 25;
/** IEC 61851-1 Table A.6: power off within 100 ms of the EV leaving C. */
export const POWER_OFF_MS = 100;

/** True for a step that takes power away, debounced with DEBOUNCE_DOWN_MS. */
export function removesPower(from: number, to: number): boolean {
  return to === EvseState.A || from === EvseState.C || to === EvseState.Unknown || to === EvseState.DiodeCheckFailed;
}

/**
 * The longest power can stay on after the EV leaves C with a control loop of
 * `tickMs`: the step is seen one tick late at worst, then held for the
 * debounce counted in whole ticks.
 */
export function worstPowerOffMs(tickMs: number): number {
  return tickMs * (1 + Math.ceil(DEBOUNCE_DOWN_MS / tickMs));
}

export class PilotDebounce {
  /** The state the pilot asks for that is not yet acted on; -1 none. */
  #candidate = -1;
  #since = 0;

  /**
   * Called on every tick with the state in force and the one the pilot asks
   * for; true when `wanted` has held long enough to be entered now.
   */
  settled(current: number, wanted: number, now: number): boolean {
    if (wanted === current) {
      this.#candidate = -1;
      return false;
    }
    if (wanted !== this.#candidate) {
      this.#candidate = wanted;
      this.#since = now;
    }
    if (now - this.#since < (removesPower(current, wanted) ? DEBOUNCE_DOWN_MS : DEBOUNCE_MS)) return false;
    this.#candidate = -1;
    return true;
  }

  /** Forgets a half-held state (a fault or a restart interrupts it). */
  clear(): void {
    this.#candidate = -1;
  }
}
