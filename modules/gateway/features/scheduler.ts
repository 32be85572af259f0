// The weekly charging timer (OpenEVSE scheduler.cpp, web_server /schedule):
// `GET|POST /schedule` (the list; POST takes one event or an array),
// `GET|POST|DELETE /schedule/{id}`, `GET /schedule/plan`; MQTT
// `<base>/schedule/set` (JSON event or array) and `<base>/schedule/clear`
// (an id), the retained `<base>/schedule`. The event in force files a claim
// of client 0x00010004 at the Timer priority (100): "active" with the
// hardware maximum current, or "disabled" (OpenEVSE files "disabled" at the
// Default priority, 10; either way every user's claim wins over it). Events are stored (one key, written on change
// only) and evaluated in the configured time zone.

import { Priority } from '../claims';
import type { Feature, FeatureContext } from '../feature';
import { answer, jsonBody, msg } from '../http-answer';
import { DAYS, MAX_EVENTS, currentAndNext, eventJson, formatTime, localWeekTime, parseEvent, type Occurrence, type ScheduleEvent } from '../schedule';
import { minutesEast } from '../time-zone';
import type { TimerId } from '../../ports';

export const SCHEDULE_CLIENT = 0x00010004;
const STORAGE_KEY = 'schedule';
const CHECK_MS = 1000;

export function schedulerFeature(ctx: FeatureContext): Feature {
  let events: ScheduleEvent[] = [];
  let version = 0;
  let planVersion = 0;
  /** The occurrence whose claim is filed, as "id@at" ("" none). */
  let active = '';
  let timer: TimerId | undefined;

  const now = () => {
    const wall = ctx.clock.wall();
    return localWeekTime(wall, minutesEast(String(ctx.config('time_zone') ?? ''), wall));
  };

  const save = () => ctx.storage.write(STORAGE_KEY, JSON.stringify(events.map(eventJson)));

  const changed = () => {
    version++;
    events.sort((a, b) => a.id - b.id);
    save();
    active = '\u0000'; // re-evaluate at once
    evaluate();
    ctx.publishRetained();
    ctx.telemetry.update();
  };

  const evaluate = () => {
    const t = now();
    const cn = currentAndNext(events, t.day, t.offset);
    const key = cn ? `${cn.current.event.id}@${cn.current.at}:${cn.current.event.state}` : '';
    if (key === active) return;
    active = key;
    planVersion++;
    if (!cn) void ctx.release(SCHEDULE_CLIENT);
    else if (cn.current.event.state === 'active') void ctx.claim(SCHEDULE_CLIENT, { state: 'active', charge_current: ctx.snapshot().maxCurrentHard || undefined });
    else void ctx.claim(SCHEDULE_CLIENT, { state: 'disabled' });
    ctx.telemetry.update();
  };

  /** Adds or replaces events; all or nothing. */
  const put = (doc: unknown, id?: number): string | undefined => {
    const list = Array.isArray(doc) && id === undefined ? doc : [doc];
    const parsed: ScheduleEvent[] = [];
    for (const d of list) {
      const p = parseEvent(d, id);
      if (!p.ok) return p.error;
      parsed.push(p.event);
    }
    const next = events.filter((e) => !parsed.some((p) => p.id === e.id)).concat(parsed);
    if (next.length > MAX_EVENTS) return `at most ${MAX_EVENTS} events`;
    events = next;
    changed();
    return undefined;
  };

  const remove = (id: number): boolean => {
    const before = events.length;
    events = events.filter((e) => e.id !== id);
    if (events.length === before) return false;
    changed();
    return true;
  };

  const occurrence = (o: Occurrence, t: { day: number; offset: number }) => ({
    id: o.event.id,
    state: o.event.state,
    time: formatTime(o.event.offset),
    day: DAYS[o.day],
    offset: o.event.offset,
    start_offset: o.at - t.day * 86400,
  });

  const plan = () => {
    const t = now();
    const cn = currentAndNext(events, t.day, t.offset);
    const out: Record<string, unknown> = {
      current_day: DAYS[t.day],
      current_offset: t.offset,
      next_event_delay: cn ? cn.delay : false,
      current_event: cn ? occurrence(cn.current, t) : false,
      next_event: cn ? occurrence(cn.next, t) : false,
    };
    for (let d = 0; d < 7; d++) {
      const day = events.filter((e) => e.days & (1 << d)).sort((a, b) => a.offset - b.offset);
      if (day.length) out[DAYS[d]] = day.map((e) => ({ id: e.id, state: e.state, time: formatTime(e.offset) }));
    }
    return out;
  };

  const eventId = (text: string): number | undefined => (/^\d{1,10}$/.test(text) && Number(text) >= 1 ? Number(text) : undefined);

  return {
    name: 'scheduler',
    claims: [
      { client: SCHEDULE_CLIENT, priority: Priority.Timer },
    ],
    status: [{ fields: () => ({ schedule_version: version, schedule_plan_version: planVersion }) }],
    start() {
      const text = ctx.storage.read(STORAGE_KEY);
      const doc = text === undefined ? undefined : jsonBody(text);
      if (Array.isArray(doc)) {
        for (const d of doc) {
          const p = parseEvent(d);
          if (p.ok && events.length < MAX_EVENTS) events.push(p.event);
        }
        if (events.length !== doc.length) ctx.log(`schedule: ${doc.length - events.length} stored events could not be read`);
      }
      timer = ctx.timers.repeat(evaluate, CHECK_MS);
      evaluate();
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      timer = undefined;
    },
    configChanged(keys) {
      if (keys.includes('time_zone')) evaluate();
    },
    routes: [
      {
        path: '/schedule',
        methods: ['GET', 'POST'],
        handle(req) {
          // python-openevse-http's get_schedule POSTs with no body: answer with the list.
          if (req.method !== 'POST' || req.body.trim() === '') return answer(200, events.map(eventJson));
          const doc = jsonBody(req.body);
          if (doc === undefined) return msg(400, 'Could not parse JSON');
          const error = put(doc);
          return error ? msg(400, error) : msg(200, 'done');
        },
      },
      { path: '/schedule/plan', methods: ['GET'], handle: () => answer(200, plan()) },
      {
        path: '/schedule/{id}',
        methods: ['GET', 'POST', 'DELETE'],
        handle(req, params) {
          const id = eventId(params.id);
          const e = id === undefined ? undefined : events.find((x) => x.id === id);
          if (req.method === 'GET' || req.method === 'HEAD') return e ? answer(200, eventJson(e)) : msg(404, 'Not found');
          if (id === undefined) return msg(404, 'Not found');
          if (req.method === 'DELETE') return remove(id) ? msg(200, 'done') : msg(404, 'Not found');
          const doc = jsonBody(req.body);
          if (doc === undefined) return msg(400, 'Could not parse JSON');
          const error = put(doc, id);
          return error ? msg(400, error) : msg(200, 'done');
        },
      },
    ],
    subscribe: [
      {
        topic: 'schedule/set',
        onMessage(payload) {
          const doc = jsonBody(payload);
          const error = doc === undefined ? 'could not parse JSON' : put(doc);
          if (error) ctx.log(`mqtt: schedule/set: ${error}`);
        },
      },
      {
        topic: 'schedule/clear',
        onMessage(payload) {
          const id = eventId(payload.trim());
          if (id === undefined || !remove(id)) ctx.log(`mqtt: schedule/clear: no event ${payload.trim()}`);
        },
      },
    ],
    retained: [{ topic: 'schedule', version: () => version, payload: () => JSON.stringify(events.map(eventJson)) }],
  };
}
