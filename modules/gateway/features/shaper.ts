// The current shaper as a gateway feature: OpenEVSE's /shaper, MQTT
// `<base>/shaper/set`, the current_shaper_* settings and status fields, fed
// by the `shaper_live_pwr` input (POST /status, `mqtt_live_pwr`). The rules
// are modules/energy/shaper.ts. It files one claim, client 0x0001000c, at
// the safety priority (5000): a cap (max_current) or a pause, never a raise.
// /shaper switches it until the next restart or setting change, as there.

import { Shaper, SHAPER_LOOP_MS } from '../../energy/shaper';
import { SHAPER_KEYS, shaperSettings } from '../../energy/settings';
import { DivertType } from '../../energy/divert';
import type { Feature, FeatureContext } from '../feature';
import { answer, msg, text } from '../http-answer';
import { Priority } from '../claims';
import type { ConfigSpec } from '../config-store';
import type { HttpRequest } from '../../ports';

export const SHAPER_CLIENT = 0x0001000c;

function config(): Record<string, ConfigSpec> {
  const out: Record<string, ConfigSpec> = {};
  for (const [k, v] of Object.entries(SHAPER_KEYS)) if (!k.startsWith('mqtt_')) out[k] = v as ConfigSpec;
  return out;
}

/** `shaper` from a query, a form or a JSON body: 0 or 1. */
function requested(req: HttpRequest): 0 | 1 | undefined {
  let v: unknown = req.query.shaper;
  const body = req.body?.trim() ?? '';
  if (v === undefined && body) {
    if (body.startsWith('{')) {
      try {
        v = (JSON.parse(body) as Record<string, unknown>).shaper;
      } catch {
        return undefined;
      }
    } else {
      for (const pair of body.split('&')) {
        const [k, val] = pair.split('=');
        if (decodeURIComponent(k) === 'shaper') v = decodeURIComponent(val ?? '');
      }
    }
  }
  if (v === true) return 1;
  if (v === false) return 0;
  const n = Number(v);
  return n === 0 || n === 1 ? n : undefined;
}

export function shaperFeature(ctx: FeatureContext): Feature {
  const snap = () => ctx.snapshot();
  const shaper = new Shaper({
    now: () => ctx.clock.now(),
    settings: () => shaperSettings((k) => ctx.config(k)),
    evse: {
      voltage: () => ctx.voltage(),
      amps: () => snap().amp / 1000,
      minCurrent: () => snap().minCurrent || 6,
      solarBonus: () => (ctx.config('divert_enabled') === true && ctx.config('divert_type') !== DivertType.Grid ? (ctx.inputs.get('solar') ?? 0) : 0),
    },
    onClaim: (c) => {
      void (c ? ctx.claim(SHAPER_CLIENT, c.properties) : ctx.release(SHAPER_CLIENT));
      ctx.telemetry.update();
    },
  });
  let timer: unknown;
  let unInput: (() => void) | undefined;

  const set = (on: boolean, why: string) => {
    if (on === shaper.enabled) return;
    ctx.log(`shaper: ${on ? 'on' : 'off'} (${why})`);
    shaper.setEnabled(on);
    ctx.telemetry.update();
  };

  return {
    name: 'shaper',
    config: config(),
    claims: [{ client: SHAPER_CLIENT, priority: Priority.Safety }],
    status: [
      {
        fields: () => ({
          shaper: shaper.enabled ? 1 : 0,
          shaper_live_pwr: shaper.livePower,
          shaper_smoothed_live_pwr: Math.round(shaper.smoothedLivePower),
          shaper_max_pwr: shaperSettings((k) => ctx.config(k)).maxPower,
          shaper_cur: Math.round(shaper.maxCurrent * 100) / 100,
          shaper_updated: shaper.updated,
          shaper_paused: shaper.enabled && shaper.paused,
        }),
      },
    ],
    subscribe: [
      {
        topic: 'shaper/set',
        onMessage(payload) {
          const p = payload.trim();
          if (p === '1' || p === '0') set(p === '1', 'mqtt');
          else ctx.log(`mqtt: shaper/set: ${JSON.stringify(payload)} is not 0 or 1`);
        },
      },
    ],
    routes: [
      {
        path: '/shaper',
        methods: ['GET', 'POST'],
        handle(req) {
          const v = requested(req);
          if (v === undefined) {
            if (req.method === 'GET' && req.query.shaper === undefined) return answer(200, { shaper: shaper.enabled ? 1 : 0 });
            return msg(400, 'shaper must be 0 (off) or 1 (on)');
          }
          set(v === 1, 'http');
          return text(200, 'Current Shaper state changed');
        },
      },
    ],
    start() {
      set(ctx.config('current_shaper_enabled') === true, 'config');
      unInput = ctx.inputs.onInput((name, reading) => {
        if (name !== 'shaper_live_pwr') return;
        shaper.livePowerIn(reading.value);
        ctx.telemetry.update();
      });
      timer = ctx.timers.repeat(() => {
        shaper.evaluate();
        ctx.telemetry.update();
      }, SHAPER_LOOP_MS);
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      unInput?.();
    },
    configChanged(keys) {
      if (keys.includes('current_shaper_enabled')) set(ctx.config('current_shaper_enabled') === true, 'config');
      else if (keys.some((k) => k.startsWith('current_shaper_'))) shaper.evaluate();
    },
  };
}
