// A claim that an algorithm decides inside an input's delivery (an MQTT grid
// reading, a POST /status) goes to the arbiter on a later turn. Made there,
// the arbiter's listeners and the telemetry event that follow (with a /ws
// frame per client) ran on top of the MQTT or HTTP handler's own stack: with
// divert and the shaper working, the ESP32 profile's stack peaked at 401 of
// 512 slots, against 325–337 without them (docs/moddable.md, "Solar divert
// and the shaper on the device"). Only the latest claim of a turn is made.

import type { EvseProperties } from '../claims';
import type { FeatureContext } from '../feature';
import type { TimerId } from '../../ports';

export class LaterClaim {
  readonly #ctx: FeatureContext;
  readonly #client: number;
  /** The claim to make (undefined: release), once the timer fires. */
  #properties?: EvseProperties;
  #timer?: TimerId;

  constructor(ctx: FeatureContext, client: number) {
    this.#ctx = ctx;
    this.#client = client;
  }

  /** Claims `properties` for the client, or releases its claim (undefined), on a later turn. */
  set(properties: EvseProperties | undefined): void {
    this.#properties = properties;
    this.#timer ??= this.#ctx.timers.set(this.#apply, 0);
  }

  /** Drops a claim not made yet (the feature stops). */
  cancel(): void {
    if (this.#timer !== undefined) this.#ctx.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  // Bound once: no closure per claim.
  readonly #apply = (): void => {
    this.#timer = undefined;
    const ctx = this.#ctx;
    const p = this.#properties;
    void (p ? ctx.claim(this.#client, p) : ctx.release(this.#client));
    ctx.telemetry.update();
  };
}
