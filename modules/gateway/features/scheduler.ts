// The weekly charging timer (OpenEVSE scheduler.cpp, web_server /schedule):
// `GET|POST /schedule` (the list; POST takes one event or an array),
// `GET|POST|DELETE /schedule/{id}`, `GET /schedule/plan`; MQTT
// `<base>/schedule/set` (JSON event or array) and `<base>/schedule/clear`
// (an id), the retained `<base>/schedule`. The event in force files a claim
// of client 0x00010004 at the Timer priority (100): "active" with the
// hardware maximum current, or "disabled" (OpenEVSE files "disabled" at the
// Default priority, 10; either way every user's claim wins over it). Events are stored (one key, written on change
// only) and evaluated in the configured time zone.
//
// Lean on the device: one object (the feature is its own status source and
// retained topic; routes and topics are parts by index, feature-parts.ts),
// tables at module level, and with no events no list and no timer.

import { Priority } from '../claims';
import type { Feature, FeatureContext, RetainedTopic, StatusSource } from '../feature';
import { declaredFeature, type Declaration, type MessageOwner, type RouteOwner, type RouteSpec } from '../feature-parts';
import { answer, jsonBody, msg } from '../http-answer';
import { DAYS, MAX_EVENTS, currentAndNext, eventJson, formatTime, localWeekTime, parseEvent, type Occurrence, type ScheduleEvent } from '../schedule';
import type { Json } from '../status';
import { minutesEast } from '../time-zone';
import type { HttpRequest, HttpResponse, TimerId } from '../../ports';

export const SCHEDULE_CLIENT = 0x00010004;
const STORAGE_KEY = 'schedule';
const CHECK_MS = 1000;
const DECLARATION: Declaration = {
  name: 'scheduler',
  claims: [{ client: SCHEDULE_CLIENT, priority: Priority.Timer }],
  // `/schedule/plan` is answered by the `{id}` route (one part less on the device).
  routes: [
    { path: '/schedule', methods: ['GET', 'POST'] },
    { path: '/schedule/{id}', methods: ['GET', 'POST', 'DELETE'] },
  ],
  topics: ['schedule/set', 'schedule/clear'],
  status: true,
  retained: true,
};
const NONE: readonly ScheduleEvent[] = [];

function eventId(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) && Number(text) >= 1 ? Number(text) : undefined;
}

function byId(a: ScheduleEvent, b: ScheduleEvent): number {
  return a.id - b.id;
}

function byOffset(a: ScheduleEvent, b: ScheduleEvent): number {
  return a.offset - b.offset;
}

function occurrence(o: Occurrence, t: { day: number; offset: number }) {
  return { id: o.event.id, state: o.event.state, time: formatTime(o.event.offset), day: DAYS[o.day], offset: o.event.offset, start_offset: o.at - t.day * 86400 };
}

export class SchedulerFeature extends declaredFeature(DECLARATION) implements StatusSource, RetainedTopic, RouteOwner, MessageOwner {
  /** undefined: no events (nothing held). */
  #events: ScheduleEvent[] | undefined;
  #version = 0;
  #planVersion = 0;
  /** The occurrence whose claim is filed, as "id@at:state" ("" none). */
  #active = '';
  #timer: TimerId | undefined;
  #started = false;

  fields(): Record<string, Json> {
    return { schedule_version: this.#version, schedule_plan_version: this.#planVersion };
  }
  get topic(): string {
    return 'schedule';
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    return JSON.stringify(this.#list().map(eventJson));
  }

  start(): void {
    const ctx = this.ctx;
    const text = ctx.storage.read(STORAGE_KEY);
    const doc = text === undefined ? undefined : jsonBody(text);
    if (Array.isArray(doc)) {
      const events: ScheduleEvent[] = [];
      for (const d of doc) {
        const p = parseEvent(d);
        if (p.ok && events.length < MAX_EVENTS) events.push(p.event);
      }
      if (events.length !== doc.length) ctx.log(`schedule: ${doc.length - events.length} stored events could not be read`);
      if (events.length) this.#events = events;
    }
    this.#started = true;
    this.#watch();
    this.#evaluate();
  }
  stop(): void {
    this.#started = false;
    this.#watch();
  }
  configChanged(keys: readonly string[]): void {
    if (keys.includes('time_zone')) this.#evaluate();
  }

  route(spec: RouteSpec, req: HttpRequest, params: Record<string, string>): HttpResponse {
    if (params.id === 'plan') return req.method === 'GET' || req.method === 'HEAD' ? answer(200, this.#plan()) : msg(405, 'Method not allowed');
    if (spec.path === '/schedule') {
      // python-openevse-http's get_schedule POSTs with no body: answer with the list.
      if (req.method !== 'POST' || req.body.trim() === '') return answer(200, this.#list().map(eventJson));
      const doc = jsonBody(req.body);
      if (doc === undefined) return msg(400, 'Could not parse JSON');
      const error = this.#put(doc);
      return error ? msg(400, error) : msg(200, 'done');
    }
    const id = eventId(params.id);
    const e = id === undefined ? undefined : this.#list().find((x) => x.id === id);
    if (req.method === 'GET' || req.method === 'HEAD') return e ? answer(200, eventJson(e)) : msg(404, 'Not found');
    if (id === undefined) return msg(404, 'Not found');
    if (req.method === 'DELETE') return this.#remove(id) ? msg(200, 'done') : msg(404, 'Not found');
    const doc = jsonBody(req.body);
    if (doc === undefined) return msg(400, 'Could not parse JSON');
    const error = this.#put(doc, id);
    return error ? msg(400, error) : msg(200, 'done');
  }

  message(name: string, payload: string): void {
    if (name === 'schedule/set') {
      const doc = jsonBody(payload);
      const error = doc === undefined ? 'could not parse JSON' : this.#put(doc);
      if (error) this.ctx.log(`mqtt: schedule/set: ${error}`);
      return;
    }
    const id = eventId(payload.trim());
    if (id === undefined || !this.#remove(id)) this.ctx.log(`mqtt: schedule/clear: no event ${payload.trim()}`);
  }

  #list(): readonly ScheduleEvent[] {
    return this.#events ?? NONE;
  }

  /** The check each second runs while there are events, and only then. */
  #watch(): void {
    const want = this.#started && this.#events !== undefined;
    if (want && this.#timer === undefined) this.#timer = this.ctx.timers.repeat(() => this.#evaluate(), CHECK_MS);
    else if (!want && this.#timer !== undefined) {
      this.ctx.timers.clear(this.#timer);
      this.#timer = undefined;
    }
  }

  #now(): { day: number; offset: number } {
    const ctx = this.ctx;
    const wall = ctx.clock.wall();
    return localWeekTime(wall, minutesEast(String(ctx.config('time_zone') ?? ''), wall));
  }

  #changed(next: ScheduleEvent[]): void {
    const ctx = this.ctx;
    this.#version++;
    next.sort(byId);
    this.#events = next.length ? next : undefined;
    ctx.storage.write(STORAGE_KEY, JSON.stringify(next.map(eventJson)));
    this.#watch();
    this.#active = '\u0000'; // re-evaluate at once
    this.#evaluate();
    ctx.publishRetained();
    ctx.telemetry.update();
  }

  #evaluate(): void {
    const ctx = this.ctx;
    const events = this.#events;
    let key = '';
    let cn: ReturnType<typeof currentAndNext>;
    if (events) {
      const t = this.#now();
      cn = currentAndNext(events, t.day, t.offset);
      if (cn) key = `${cn.current.event.id}@${cn.current.at}:${cn.current.event.state}`;
    }
    if (key === this.#active) return;
    this.#active = key;
    this.#planVersion++;
    if (!cn) void ctx.release(SCHEDULE_CLIENT);
    else if (cn.current.event.state === 'active') void ctx.claim(SCHEDULE_CLIENT, { state: 'active', charge_current: ctx.snapshot().maxCurrentHard || undefined });
    else void ctx.claim(SCHEDULE_CLIENT, { state: 'disabled' });
    ctx.telemetry.update();
  }

  /** Adds or replaces events; all or nothing. */
  #put(doc: unknown, id?: number): string | undefined {
    const list = Array.isArray(doc) && id === undefined ? doc : [doc];
    const parsed: ScheduleEvent[] = [];
    for (const d of list) {
      const p = parseEvent(d, id);
      if (!p.ok) return p.error;
      parsed.push(p.event);
    }
    const next = this.#list().filter((e) => !parsed.some((p) => p.id === e.id)).concat(parsed);
    if (next.length > MAX_EVENTS) return `at most ${MAX_EVENTS} events`;
    this.#changed(next);
    return undefined;
  }

  #remove(id: number): boolean {
    const before = this.#list();
    const next = before.filter((e) => e.id !== id);
    if (next.length === before.length) return false;
    this.#changed(next);
    return true;
  }

  #plan(): Record<string, unknown> {
    const t = this.#now();
    const events = this.#list();
    const cn = currentAndNext(events, t.day, t.offset);
    const out: Record<string, unknown> = {
      current_day: DAYS[t.day],
      current_offset: t.offset,
      next_event_delay: cn ? cn.delay : false,
      current_event: cn ? occurrence(cn.current, t) : false,
      next_event: cn ? occurrence(cn.next, t) : false,
    };
    for (let d = 0; d < 7; d++) {
      const day = events.filter((e) => e.days & (1 << d)).sort(byOffset);
      if (day.length) out[DAYS[d]] = day.map((e) => ({ id: e.id, state: e.state, time: formatTime(e.offset) }));
    }
    return out;
  }
}

export function schedulerFeature(ctx: FeatureContext): Feature {
  return new SchedulerFeature(ctx);
}
