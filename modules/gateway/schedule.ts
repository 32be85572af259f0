// The weekly timer of OpenEVSE's scheduler.cpp, as pure functions: events
// `{id, state, time "HH:MM[:SS]", days ["monday", …]}` (up to 50), each
// repeating on its days at a local time; at any moment the event in force is
// the latest one at or before now, going back round the week. Times are local
// to the configured zone (time-zone.ts gives the offset).

export const MAX_EVENTS = 50;
export const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const WEEK = 7 * 86400;

export interface ScheduleEvent {
  id: number;
  state: 'active' | 'disabled';
  /** Seconds after local midnight. */
  offset: number;
  /** Bit n set: repeats on DAYS[n]. */
  days: number;
}

/** "HH:MM" or "HH:MM:SS" → seconds after midnight; undefined if malformed. */
export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || min > 59 || s > 59) return undefined;
  return h * 3600 + min * 60 + s;
}

export function formatTime(offset: number): string {
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  return `${two(Math.floor(offset / 3600))}:${two(Math.floor(offset / 60) % 60)}:${two(offset % 60)}`;
}

/** One event as clients post it; `id` from the path wins when given. */
export function parseEvent(doc: unknown, id?: number): { ok: true; event: ScheduleEvent } | { ok: false; error: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'an event must be a JSON object' };
  const d = doc as Record<string, unknown>;
  const eventId = id ?? d.id;
  if (id !== undefined && d.id !== undefined && d.id !== id) return { ok: false, error: 'id does not match the path' };
  if (typeof eventId !== 'number' || !Number.isInteger(eventId) || eventId < 1 || eventId > 0xffffffff) return { ok: false, error: 'id must be a whole number ≥ 1' };
  if (d.state !== 'active' && d.state !== 'disabled') return { ok: false, error: 'state must be "active" or "disabled"' };
  const offset = parseTime(d.time);
  if (offset === undefined) return { ok: false, error: 'time must be "HH:MM" or "HH:MM:SS"' };
  if (!Array.isArray(d.days) || d.days.length === 0) return { ok: false, error: 'days must list at least one day' };
  let days = 0;
  for (const day of d.days) {
    const i = DAYS.indexOf(String(day).toLowerCase() as (typeof DAYS)[number]);
    if (i < 0) return { ok: false, error: `unknown day "${String(day)}"` };
    days |= 1 << i;
  }
  return { ok: true, event: { id: eventId, state: d.state, offset, days } };
}

export function eventJson(e: ScheduleEvent): Record<string, unknown> {
  return { id: e.id, state: e.state, time: formatTime(e.offset), days: DAYS.filter((_, i) => e.days & (1 << i)) };
}

/** Local day of week (0 Sunday) and seconds after local midnight, for UTC ms and minutes east of UTC. */
export function localWeekTime(utcMs: number, minutesEast: number): { day: number; offset: number } {
  const local = Math.floor(utcMs / 1000) + minutesEast * 60;
  const days = Math.floor(local / 86400);
  // 1970-01-01 was a Thursday (4)
  return { day: (((days + 4) % 7) + 7) % 7, offset: local - days * 86400 };
}

/** An occurrence of an event: which one, on which day, seconds into the week. */
export interface Occurrence {
  event: ScheduleEvent;
  day: number;
  at: number;
}

/** Every occurrence in a week, in order. */
export function week(events: readonly ScheduleEvent[]): Occurrence[] {
  const out: Occurrence[] = [];
  for (const event of events) for (let day = 0; day < 7; day++) if (event.days & (1 << day)) out.push({ event, day, at: day * 86400 + event.offset });
  out.sort((a, b) => a.at - b.at || a.event.id - b.event.id);
  return out;
}

/** The occurrence in force at `day`/`offset` and the next one, with seconds until it; undefined without events. */
export function currentAndNext(events: readonly ScheduleEvent[], day: number, offset: number): { current: Occurrence; next: Occurrence; delay: number } | undefined {
  const all = week(events);
  if (all.length === 0) return undefined;
  const now = day * 86400 + offset;
  let i = all.length - 1; // before the first of the week: the last one of last week
  for (let k = 0; k < all.length; k++) if (all[k].at <= now) i = k;
  const next = all[(i + 1) % all.length];
  const delay = (((next.at - now) % WEEK) + WEEK) % WEEK || WEEK;
  return { current: all[i], next, delay };
}
