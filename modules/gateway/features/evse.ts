// The controller's telemetry as status fields (status.ts evseFields: amp in
// mA, temperatures in tenths of °C, energy …) with the gateway's view of the
// charging state (`status`: what the claims hold it to). While charging,
// OpenEVSE sends amp, voltage, power and pilot every second whether or not
// they moved (evse_monitor.cpp); so does this, as one event.

import type { TimerId } from '../../ports';
import { STATE_CHARGING } from '../evse-snapshot';
import type { Feature, FeatureContext } from '../feature';
import { evseFields } from '../status';
import type { Fragment } from '../telemetry';

/** The live fields OpenEVSE pushes every second while charging. */
export const LIVE_FIELDS = ['amp', 'voltage', 'power', 'pilot'] as const;
export const LIVE_PERIOD_MS = 1000;

export function evseFeature(ctx: FeatureContext): Feature {
  let timer: TimerId | undefined;
  const fields = (into?: Fragment): Fragment => {
    // evseFields writes into the document (or a fresh object): `status` is set on it rather than its 40 fields copied into another.
    const f = evseFields(ctx.snapshot(), ctx.voltage(), into);
    f.status = ctx.state();
    return f;
  };
  return {
    name: 'evse',
    status: [{ fields }],
    start() {
      timer = ctx.timers.repeat(() => {
        if (ctx.snapshot().state !== STATE_CHARGING) return;
        const f = fields();
        const live: Fragment = {};
        for (const k of LIVE_FIELDS) live[k] = f[k];
        ctx.telemetry.update(live);
      }, LIVE_PERIOD_MS);
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      timer = undefined;
    },
  };
}
