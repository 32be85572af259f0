// No-ground check: the AC-sense optos see line-to-earth voltage, so with the
// relay closed and earth missing both lines look dead. Judged only once the
// contacts have settled (OpenEVSE GROUND_CHK_DELAY).

import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

export const GROUND_CHECK_DELAY_MS = 1000;

export class GroundCheck implements SafetyCheck {
  readonly fault = EvseState.NoGround;

  evaluate(s: Sense): boolean {
    return s.relayClosed && s.now - s.relayChangedAt > GROUND_CHECK_DELAY_MS && s.liveLines === 0;
  }

  reset(): void {}
}
