// Solar divert as a gateway feature: OpenEVSE's /divertmode, MQTT
// `<base>/divertmode/set`, the divert_* settings and status fields, fed by
// the `solar` / `grid_ie` inputs (POST /status, `mqtt_solar`, `mqtt_grid_ie`).
// The algorithm is modules/energy/divert.ts; this file only connects it.
//
// divertmode starts as `divert_enabled` says (OpenEVSE's `charge_mode`
// eco/fast), and /divertmode switches it until the next restart or setting
// change, as there. Divert files one claim, client 0x00010002, at priority 50.

import { Divert, DivertMode, type DivertModeValue } from '../../energy/divert';
import { DIVERT_KEYS, divertSettings } from '../../energy/settings';
import type { Feature, FeatureContext } from '../feature';
import { answer, msg, text } from '../http-answer';
import { Priority } from '../claims';
import type { ConfigSpec } from '../config-store';
import type { HttpRequest } from '../../ports';
import type { Json } from '../status';

export const DIVERT_CLIENT = 0x00010002;
const STATE_CHARGING = 3;

/** The divert_* settings (mqtt_solar and mqtt_grid_ie belong to the data inputs). */
function config(): Record<string, ConfigSpec> {
  const out: Record<string, ConfigSpec> = {};
  for (const [k, v] of Object.entries(DIVERT_KEYS)) if (!k.startsWith('mqtt_')) out[k] = v as ConfigSpec;
  out.charge_mode = { type: 'enum', values: ['fast', 'eco'], default: 'fast' };
  return out;
}

/** `divertmode` from a query, a form body or a JSON body: 1 or 2. */
export function requestedMode(req: HttpRequest): DivertModeValue | undefined {
  let v: unknown = req.query.divertmode;
  if (v === undefined && req.body) {
    const body = req.body.trim();
    if (body.startsWith('{')) {
      try {
        v = (JSON.parse(body) as Record<string, unknown>).divertmode;
      } catch {
        return undefined;
      }
    } else {
      for (const pair of body.split('&')) {
        const [k, val] = pair.split('=');
        if (decodeURIComponent(k) === 'divertmode') v = decodeURIComponent(val ?? '');
      }
    }
  }
  const n = Number(v);
  return n === 1 || n === 2 ? n : undefined;
}

export function divertFeature(ctx: FeatureContext): Feature {
  const snap = () => ctx.snapshot();
  const divert = new Divert({
    now: () => ctx.clock.now(),
    settings: () => divertSettings((k) => ctx.config(k)),
    evse: {
      voltage: () => ctx.voltage(),
      amps: () => snap().amp / 1000,
      minCurrent: () => snap().minCurrent || 6,
      charging: () => snap().state === STATE_CHARGING,
    },
    onClaim: (c) => {
      void (c ? ctx.claim(DIVERT_CLIENT, c.properties) : ctx.release(DIVERT_CLIENT));
      ctx.telemetry.update();
    },
  });
  let timer: unknown;
  let unsubscribe: (() => void) | undefined;
  let unInput: (() => void) | undefined;

  const setMode = (mode: DivertModeValue, why: string) => {
    if (mode === divert.mode) return;
    ctx.log(`divert: mode ${mode === DivertMode.Eco ? 'eco' : 'normal'} (${why})`);
    divert.setMode(mode);
    ctx.telemetry.update();
  };
  const enabled = () => ctx.config('divert_enabled') === true || ctx.config('charge_mode') === 'eco';

  const fields = (): Record<string, Json> => ({
    divertmode: divert.mode,
    divert_active: divert.active,
    charge_rate: divert.chargeRate,
    available_current: round(divert.available),
    smoothed_available_current: round(divert.smoothed),
    trigger_current: round(divert.trigger),
    divert_stale: divert.stale,
    min_charge_end: divert.minChargeRemaining(),
  });

  return {
    name: 'divert',
    config: config(),
    claims: [{ client: DIVERT_CLIENT, priority: Priority.Divert }],
    status: [{ fields }],
    subscribe: [
      {
        topic: 'divertmode/set',
        onMessage(payload) {
          const n = Number(payload.trim());
          if (n === 1 || n === 2) setMode(n, 'mqtt');
          else ctx.log(`mqtt: divertmode/set: ${JSON.stringify(payload)} is not 1 or 2`);
        },
      },
    ],
    routes: [
      {
        path: '/divertmode',
        methods: ['GET', 'POST'],
        handle(req) {
          const mode = requestedMode(req);
          if (mode === undefined) {
            if (req.method === 'GET' && req.query.divertmode === undefined) return answer(200, { divertmode: divert.mode });
            return msg(400, 'divertmode must be 1 (normal) or 2 (eco)');
          }
          setMode(mode, 'http');
          // python-openevse-http looks for "divert" and "changed" in the reply, as OpenEVSE sends it.
          return text(200, 'Divert Mode changed');
        },
      },
    ],
    start() {
      setMode(enabled() ? DivertMode.Eco : DivertMode.Normal, 'config');
      unInput = ctx.inputs.onInput((name, reading) => {
        if (name === 'solar') divert.solar(reading.value);
        else if (name === 'grid_ie') divert.gridIe(reading.value);
        else return;
        ctx.telemetry.update();
      });
      unsubscribe = ctx.telemetry.subscribe((f) => {
        if ('state' in f) divert.evseChanged();
      });
      timer = ctx.timers.repeat(() => {
        const was = divert.stale;
        divert.check();
        if (divert.stale !== was) ctx.log('divert: no solar/grid reading within divert_data_maxinterval: divert charging stopped');
      }, 1000);
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      unsubscribe?.();
      unInput?.();
    },
    configChanged(keys) {
      if (keys.includes('charge_mode') && !keys.includes('divert_enabled')) {
        // OpenEVSE's virtual setting: charge_mode eco is divert_enabled true.
        void ctx.updateConfig({ divert_enabled: ctx.config('charge_mode') === 'eco' });
        return;
      }
      if (keys.includes('divert_enabled')) {
        const on = ctx.config('divert_enabled') === true;
        if ((ctx.config('charge_mode') === 'eco') !== on) void ctx.updateConfig({ charge_mode: on ? 'eco' : 'fast' });
        setMode(on ? DivertMode.Eco : DivertMode.Normal, 'config');
      }
    },
  };
}

function round(a: number): number {
  return Math.round(a * 100) / 100;
}
