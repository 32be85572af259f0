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
import type { ConfigSpec } from '../config-store';
import type { Feature, FeatureContext, RetainedTopic, StatusSource } from '../feature';
import { declaredFeature, type Declaration, type MessageOwner, type RouteOwner, type RouteSpec } from '../feature-parts';
import { answer, jsonBody, msg } from '../http-answer';
import type { Json } from '../status';
import type { HttpRequest, HttpResponse, TimerId } from '../../ports';

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

const CONFIG: Record<string, ConfigSpec> = {
  limit_default_type: { type: 'enum', values: ['none', ...LIMIT_TYPES], default: 'none' },
  limit_default_value: { type: 'integer', min: 0, max: 0xffffffff, default: 0 },
};
const DECLARATION: Declaration = {
  name: 'limit',
  config: CONFIG,
  claims: [{ client: LIMIT_CLIENT, priority: Priority.Limit }],
  routes: [{ path: '/limit', methods: ['GET', 'POST', 'DELETE'] }],
  topics: ['limit/set'],
  status: true,
  retained: true,
};

/** One object on the device: the feature, its status source, its retained topic; its route and topic by index (feature-parts.ts). */
export class LimitFeature extends declaredFeature(DECLARATION) implements StatusSource, RetainedTopic, RouteOwner, MessageOwner {
  #limit: SessionLimit | undefined;
  #version = 0;
  /** The check each second, while a limit is set and only then. */
  #timer: TimerId | undefined;
  #started = false;

  fields(): Record<string, Json> {
    return { limit: this.#limit !== undefined, limit_version: this.#version };
  }
  get topic(): string {
    return 'limit';
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    return JSON.stringify(this.#limit ?? {});
  }

  start(): void {
    const ctx = this.ctx;
    const def = parseLimit({ type: ctx.config('limit_default_type'), value: ctx.config('limit_default_value') });
    this.#started = true;
    if (def) this.#set(def);
  }
  stop(): void {
    this.#started = false;
    this.#watch();
  }
  sessionEnded(): void {
    // The auto_release claim itself goes with the session (arbiter); the limit may go too, on a
    // turn of its own: this is called deep in a RAPI notification, and #set publishes.
    if (this.#limit?.auto_release) this.ctx.timers.set(() => this.#limit?.auto_release && this.#set(undefined), 0);
  }

  route(_spec: RouteSpec, req: HttpRequest): HttpResponse {
    if (req.method === 'GET' || req.method === 'HEAD') return answer(200, this.#limit ? { ...this.#limit } : {});
    if (req.method === 'POST') return this.#post(req.body);
    if (!this.#limit) return msg(200, 'no limit');
    this.#set(undefined);
    return msg(200, 'done');
  }

  message(_name: string, payload: string): void {
    const p = payload.trim();
    if (p === 'clear') return this.#set(undefined);
    const next = parseLimit(jsonBody(p));
    if (next) this.#set(next);
    else this.ctx.log('mqtt: limit/set: not a limit');
  }

  #set(next: SessionLimit | undefined): void {
    const ctx = this.ctx;
    this.#limit = next;
    this.#version++;
    if (!next && ctx.claimOf(LIMIT_CLIENT)) void ctx.release(LIMIT_CLIENT);
    ctx.publishRetained();
    ctx.telemetry.update();
    this.#watch();
    this.#check();
  }

  #watch(): void {
    const want = this.#started && this.#limit !== undefined;
    if (want && this.#timer === undefined) this.#timer = this.ctx.timers.repeat(() => this.#check(), 1000);
    else if (!want && this.#timer !== undefined) {
      this.ctx.timers.clear(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Where the session stands in the limit's unit. */
  #progress(type: LimitType): number | undefined {
    const ctx = this.ctx;
    const s = ctx.snapshot();
    if (type === 'time') return Math.floor(s.elapsed / 60);
    if (type === 'energy') return Math.floor(s.wattsec / 3600);
    return ctx.inputs.get(type === 'soc' ? 'battery_level' : 'battery_range');
  }

  #check(): void {
    const ctx = this.ctx;
    const limit = this.#limit;
    if (!limit || ctx.snapshot().state !== STATE_CHARGING || ctx.claimOf(LIMIT_CLIENT)) return;
    const p = this.#progress(limit.type);
    if (p === undefined || p < limit.value) return;
    ctx.log(`limit: ${limit.type} ${limit.value} reached (${p}): charging stops`);
    void ctx.claim(LIMIT_CLIENT, { state: 'disabled', auto_release: true });
  }

  #post(body: string): HttpResponse {
    const doc = jsonBody(body);
    if (doc === 'clear') return this.#set(undefined), msg(200, 'done');
    const next = parseLimit(doc);
    if (!next) return msg(400, 'failed to parse JSON');
    this.#set(next);
    return msg(201, 'done');
  }
}

export function limitFeature(ctx: FeatureContext): Feature {
  return new LimitFeature(ctx);
}
