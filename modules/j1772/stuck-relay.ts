// Stuck (welded) relay: AC downstream of an open relay for more than 1 s,
// counted from the opening and from the first sighting, so the contacts'
// own release time and a single noisy sample do not count (OpenEVSE
// STUCK_RELAY_DELAY). UL: permanent until power-cycle.

import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

export const STUCK_RELAY_DELAY_MS = 1000;

export class StuckRelayCheck implements SafetyCheck {
  readonly fault = EvseState.StuckRelay;
  #seenSince = -1;

  evaluate(s: Sense): boolean {
    if (s.relayClosed || s.relayOpening || s.liveLines === 0) {
      this.#seenSince = -1;
      return false;
    }
    if (this.#seenSince < 0 || this.#seenSince < s.relayChangedAt) this.#seenSince = s.now;
    return s.now - s.relayChangedAt > STUCK_RELAY_DELAY_MS && s.now - this.#seenSince > STUCK_RELAY_DELAY_MS;
  }

  reset(): void {
    this.#seenSince = -1;
  }
}
