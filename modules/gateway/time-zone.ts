// Local time from a POSIX TZ rule, as OpenEVSE stores it in `time_zone`
// ("Europe/London|GMT0BST,M3.5.0/1,M10.5.0": a display name, a bar, the
// rule). The device has no time-zone database and XS's Date knows only the
// host's zone, so the rule is evaluated here: std name and offset, optional
// DST name, offset (default one hour ahead) and start/end rules in the
// `Mm.w.d`, `Jn` and `n` forms with optional `/time` (default 02:00).
// Offsets in the rule count west of UTC (GMT0, EST5, CET-1); the results
// here count east, as `%z` prints them.

interface Rule {
  kind: 'M' | 'J' | 'n';
  month: number;
  week: number;
  day: number;
  /** Seconds after local midnight. */
  time: number;
}

export interface PosixZone {
  /** Seconds east of UTC outside DST. */
  std: number;
  dst?: { offset: number; start: Rule; end: Rule };
}

// Regular expressions are made per call, never kept at module level: in a
// preloaded (flash) module XS 8.2.3 crashes executing a RegExp with capture
// groups (docs/moddable.md, "Preloading").
const NAME = () => /^(<[^>]*>|[A-Za-z]{3,})/;
const OFFSET = () => /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/;

/** "[+-]hh[:mm[:ss]]" at the start of `s` → [seconds, characters used], or undefined. */
function hms(s: string): [number, number] | undefined {
  const m = OFFSET().exec(s);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return [m[1] === '-' ? -secs : secs, m[0].length];
}

function rule(s: string): Rule | undefined {
  const [date, time] = s.split('/');
  const t = time === undefined ? 7200 : hms(time)?.[0];
  if (t === undefined) return undefined;
  let m = /^M(\d{1,2})\.([1-5])\.([0-6])$/.exec(date);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return { kind: 'M', month: Number(m[1]), week: Number(m[2]), day: Number(m[3]), time: t };
  m = /^J(\d{1,3})$/.exec(date);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 365) return { kind: 'J', month: 0, week: 0, day: Number(m[1]), time: t };
  m = /^(\d{1,3})$/.exec(date);
  if (m && Number(m[1]) <= 365) return { kind: 'n', month: 0, week: 0, day: Number(m[1]), time: t };
  return undefined;
}

/** Parses the rule part of a POSIX TZ string (or OpenEVSE's "Name|rule"); undefined if it is not one. */
export function parseZone(text: string): PosixZone | undefined {
  let s = text.includes('|') ? text.slice(text.indexOf('|') + 1) : text;
  let m = NAME().exec(s);
  if (!m) return undefined;
  s = s.slice(m[0].length);
  const std = hms(s);
  if (!std) return undefined;
  s = s.slice(std[1]);
  // 0 - x, not -x: GMT0 is +0, never -0
  const zone: PosixZone = { std: 0 - std[0] };
  if (s === '') return zone;
  m = NAME().exec(s);
  if (!m) return undefined;
  s = s.slice(m[0].length);
  let dstOffset = zone.std + 3600;
  const own = hms(s);
  if (own) {
    dstOffset = 0 - own[0];
    s = s.slice(own[1]);
  }
  // Without rules POSIX leaves the dates to the implementation; the US rules are the usual default.
  const rules = s === '' ? ['M3.2.0', 'M11.1.0'] : s.startsWith(',') ? s.slice(1).split(',') : [];
  if (rules.length !== 2) return undefined;
  const start = rule(rules[0]);
  const end = rule(rules[1]);
  if (!start || !end) return undefined;
  zone.dst = { offset: dstOffset, start, end };
  return zone;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The rule's moment in `year` as local wall-clock seconds since the epoch (as if UTC). */
function localMoment(year: number, r: Rule): number {
  let day: number; // ms of local midnight
  if (r.kind === 'M') {
    const first = new Date(Date.UTC(year, r.month - 1, 1)).getUTCDay();
    const days = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
    let d = 1 + ((r.day - first + 7) % 7) + (r.week - 1) * 7;
    while (d > days) d -= 7; // week 5 = the last one
    day = Date.UTC(year, r.month - 1, d);
  } else if (r.kind === 'J') {
    // 1…365, February 29 never counted
    day = Date.UTC(year, 0, r.day + (isLeap(year) && r.day >= 60 ? 1 : 0));
  } else {
    day = Date.UTC(year, 0, r.day + 1);
  }
  return day / 1000 + r.time;
}

/** The year whose rules apply at UTC second `t` (the year of standard local time). */
function ruleYear(zone: PosixZone, t: number): number {
  return new Date((t + zone.std) * 1000).getUTCFullYear();
}

/** Whether UTC second `t` is in daylight time, given the year's start and end as UTC seconds. */
function inDaylight(t: number, start: number, end: number): boolean {
  return start < end ? t >= start && t < end : !(t >= end && t < start);
}

/** Seconds east of UTC in `zone` at `utcMs`. */
export function zoneOffset(zone: PosixZone, utcMs: number): number {
  const dst = zone.dst;
  if (!dst) return zone.std;
  const t = Math.floor(utcMs / 1000);
  const year = ruleYear(zone, t);
  // The start is given in standard time, the end in daylight time.
  const start = localMoment(year, dst.start) - zone.std;
  const end = localMoment(year, dst.end) - dst.offset;
  return inDaylight(t, start, end) ? dst.offset : zone.std;
}

/** Minutes east of UTC for OpenEVSE's `time_zone` setting at `utcMs`; 0 when it cannot be read. */
export function minutesEast(timeZone: string, utcMs: number): number {
  const zone = parseZone(timeZone);
  return zone ? Math.round(zoneOffset(zone, utcMs) / 60) : 0;
}

/**
 * minutesEast for a caller that asks again and again with the same setting
 * (/status on every request): the rule is parsed only when the setting
 * changes, which was a quarter of a /status request's cost on XS, and the
 * year's daylight-time start and end are worked out once per year (they
 * were four Date objects a request). An object made at run time, not module
 * state: a preloaded module's state is in flash on the device.
 * test/cases/gateway/time-zone.case.ts holds it to minutesEast.
 */
export class ZoneClock {
  #text: string | undefined;
  #zone: PosixZone | undefined;
  /** UTC seconds [#from, #to) that share one rule year, and that year's daylight start and end. */
  #from = 0;
  #to = 0;
  #start = 0;
  #end = 0;

  minutesEast(timeZone: string, utcMs: number): number {
    if (timeZone !== this.#text) {
      this.#zone = parseZone(timeZone);
      this.#text = timeZone;
      this.#to = this.#from; // no year known
    }
    const zone = this.#zone;
    if (!zone) return 0;
    const dst = zone.dst;
    if (!dst) return Math.round(zone.std / 60);
    const t = Math.floor(utcMs / 1000);
    if (!(t >= this.#from && t < this.#to)) {
      const year = ruleYear(zone, t);
      // The seconds whose standard local time falls in that year: ruleYear gives `year` for exactly these.
      this.#from = Date.UTC(year, 0, 1) / 1000 - zone.std;
      this.#to = Date.UTC(year + 1, 0, 1) / 1000 - zone.std;
      this.#start = localMoment(year, dst.start) - zone.std;
      this.#end = localMoment(year, dst.end) - dst.offset;
    }
    return Math.round((inDaylight(t, this.#start, this.#end) ? dst.offset : zone.std) / 60);
  }
}
