// The controller's telemetry as status fields (status.ts evseFields: amp in
// mA, temperatures in tenths of °C, energy …) with the gateway's view of the
// charging state (`status`: what the claims hold it to). While charging,
// OpenEVSE sends amp, voltage, power and pilot every second whether or not
// they moved (evse_monitor.cpp); so does this, as one event.

import type { TimerId } from '../../ports';
import { STATE_CHARGING } from '../evse-snapshot';
import type { Feature, FeatureContext, StatusSource } from '../feature';
import { declaredFeature, type Declaration } from '../feature-parts';
import { evseFields } from '../status';
import type { Fragment } from '../telemetry';

/** The live fields OpenEVSE pushes every second while charging. */
export const LIVE_FIELDS = ['amp', 'voltage', 'power', 'pilot'] as const;
export const LIVE_PERIOD_MS = 1000;

const DECLARATION: Declaration = { name: 'evse', status: true };

/** One object on the device, its own status source (docs/features.md, "Memory on the device"). */
export class EvseFeature extends declaredFeature(DECLARATION) implements StatusSource {
  #timer: TimerId | undefined;

  fields(into?: Fragment): Fragment {
    // evseFields writes into the document (or a fresh object): `status` is set on it rather than its 40 fields copied into another.
    const f = evseFields(this.ctx.snapshot(), this.ctx.voltage(), into);
    f.status = this.ctx.state();
    return f;
  }

  start(): void {
    this.#timer = this.ctx.timers.repeat(() => this.#live(), LIVE_PERIOD_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) this.ctx.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #live(): void {
    if (this.ctx.snapshot().state !== STATE_CHARGING) return;
    const f = this.fields();
    const live: Fragment = {};
    for (const k of LIVE_FIELDS) live[k] = f[k];
    this.ctx.telemetry.update(live);
  }
}

export function evseFeature(ctx: FeatureContext): Feature {
  return new EvseFeature(ctx);
}
