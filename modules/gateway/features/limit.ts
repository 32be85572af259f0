// Session limits (OpenEVSE limit.cpp, web_server /limit): stop charging after
// so many minutes (`time`), Wh (`energy`), or when the car reports a state of
// charge (`soc`, %) or range (`range`) at or above the value. Checked every
// second while charging; when reached the limit files a "disabled" claim of
// client 0x00010006 at priority 1100, above every user's claim. The claim goes
// when the session ends (EV unplugged), and so does the limit unless its
// `auto_release` is false. `GET|POST|DELETE /limit`, MQTT `<base>/limit/set`
// (JSON or `clear`), retained `<base>/limit`; `limit` and `limit_version` in
// /status. As in OpenEVSE the limit is not stored: a restart forgets it, and
// `limit_default_type`/`limit_default_value` set one at start-up.

import { Priority } from '../claims';
import { STATE_CHARGING } from '../evse-snapshot';
import type { Feature, FeatureContext } from '../feature';
import { answer, jsonBody, msg } from '../http-answer';
import type { TimerId } from '../../ports';

export const LIMIT_CLIENT = 0x00010006;
export const LIMIT_TYPES = ['time', 'energy', 'soc', 'range'] as const;
export type LimitType = (typeof LIMIT_TYPES)[number];
export interface SessionLimit {
  type: LimitType;
  value: number;
  auto_release: boolean;
}

/** A limit as posted; OpenEVSE keeps the fields a post leaves out from the limit in force. */
export function parseLimit(doc: unknown, base?: SessionLimit): SessionLimit | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const type = d.type === undefined ? base?.type : d.type;
  const value = d.value === undefined ? base?.value : d.value;
  const release = d.auto_release === undefined ? (base?.auto_release ?? true) : d.auto_release;
  if (!LIMIT_TYPES.includes(type as LimitType)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 0xffffffff) return undefined;
  if (typeof release !== 'boolean') return undefined;
  return { type: type as LimitType, value, auto_release: release };
}

export function limitFeature(ctx: FeatureContext): Feature {
  let limit: SessionLimit | undefined;
  let version = 0;
  let timer: TimerId | undefined;

  const set = (next: SessionLimit | undefined) => {
    limit = next;
    version++;
    if (!next && ctx.claimOf(LIMIT_CLIENT)) void ctx.release(LIMIT_CLIENT);
    ctx.publishRetained();
    ctx.telemetry.update();
    check();
  };

  /** Where the session stands in the limit's unit. */
  const progress = (type: LimitType): number | undefined => {
    const s = ctx.snapshot();
    if (type === 'time') return Math.floor(s.elapsed / 60);
    if (type === 'energy') return Math.floor(s.wattsec / 3600);
    return ctx.inputs.get(type === 'soc' ? 'battery_level' : 'battery_range');
  };

  const check = () => {
    if (!limit || ctx.snapshot().state !== STATE_CHARGING || ctx.claimOf(LIMIT_CLIENT)) return;
    const p = progress(limit.type);
    if (p === undefined || p < limit.value) return;
    ctx.log(`limit: ${limit.type} ${limit.value} reached (${p}): charging stops`);
    void ctx.claim(LIMIT_CLIENT, { state: 'disabled', auto_release: true });
  };

  const post = (body: string) => {
    const doc = jsonBody(body);
    if (doc === 'clear') return set(undefined), msg(200, 'done');
    const next = parseLimit(doc);
    if (!next) return msg(400, 'failed to parse JSON');
    set(next);
    return msg(201, 'done');
  };

  return {
    name: 'limit',
    config: {
      limit_default_type: { type: 'enum', values: ['none', ...LIMIT_TYPES], default: 'none' },
      limit_default_value: { type: 'integer', min: 0, max: 0xffffffff, default: 0 },
    },
    claims: [{ client: LIMIT_CLIENT, priority: Priority.Limit }],
    status: [{ fields: () => ({ limit: limit !== undefined, limit_version: version }) }],
    start() {
      const def = parseLimit({ type: ctx.config('limit_default_type'), value: ctx.config('limit_default_value') });
      if (def) set(def);
      timer = ctx.timers.repeat(check, 1000);
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      timer = undefined;
    },
    sessionEnded() {
      // The auto_release claim itself goes with the session (arbiter); the limit may go too.
      if (limit?.auto_release) set(undefined);
    },
    routes: [
      {
        path: '/limit',
        methods: ['GET', 'POST', 'DELETE'],
        handle(req) {
          if (req.method === 'GET' || req.method === 'HEAD') return answer(200, limit ?? {});
          if (req.method === 'POST') return post(req.body);
          if (!limit) return msg(200, 'no limit');
          set(undefined);
          return msg(200, 'done');
        },
      },
    ],
    subscribe: [
      {
        topic: 'limit/set',
        onMessage(payload) {
          const p = payload.trim();
          if (p === 'clear') return set(undefined);
          const next = parseLimit(jsonBody(p));
          if (next) set(next);
          else ctx.log('mqtt: limit/set: not a limit');
        },
      },
    ],
    retained: [{ topic: 'limit', version: () => version, payload: () => JSON.stringify(limit ?? {}) }],
  };
}
