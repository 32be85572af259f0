// What the energy algorithms (divert, shaper) read of the charger, taken from
// the gateway's telemetry: one reader for both, so they see the same numbers.

import type { FeatureContext } from '../feature';

const STATE_CHARGING = 3;

export class ContextEvse {
  protected readonly ctx: FeatureContext;

  constructor(ctx: FeatureContext) {
    this.ctx = ctx;
  }

  /** V, line to neutral. */
  voltage(): number {
    return this.ctx.voltage();
  }

  /** A the EV draws now. */
  amps(): number {
    return this.ctx.snapshot().amp / 1000;
  }

  /** A, the controller's minimum pilot (6 until the controller said). */
  minCurrent(): number {
    return this.ctx.snapshot().minCurrent || 6;
  }

  /** The EV is drawing power (state C). */
  charging(): boolean {
    return this.ctx.snapshot().state === STATE_CHARGING;
  }
}
