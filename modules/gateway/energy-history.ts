// The gateway's energy counters (OpenEVSE energy_meter.cpp): kWh charged
// today, this week (from Sunday), this month and this year, in the local time
// zone, and the number of switches between active and disabled; plus a short
// history of finished days, weeks, months and years for /energy/*, sized for
// the device (31 days, 8 weeks, 12 months, 5 years: under 2 KB stored). Pure
// data: the feature (features/energy.ts) feeds it and stores it.

export const KEEP = { daily: 31, weekly: 8, monthly: 12, annual: 5 } as const;

/** A local calendar position: "2026-01-01", Sunday-based week start, "2026-01", "2026". */
export interface Period {
  day: string;
  week: string;
  month: string;
  year: string;
}

/** Local date parts of UTC ms at `minutesEast` of UTC. */
export function periodOf(utcMs: number, minutesEast: number): Period {
  const local = new Date(utcMs + minutesEast * 60000);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const weekStart = new Date(local.getTime() - local.getUTCDay() * 86400000);
  return { day: iso(local), week: iso(weekStart), month: iso(local).slice(0, 7), year: iso(local).slice(0, 4) };
}

export type Entry = [period: string, kwh: number];

export interface EnergyData {
  v: 1;
  period: Period;
  /** kWh in the current day, week, month, year. */
  day: number;
  week: number;
  month: number;
  year: number;
  switches: number;
  daily: Entry[];
  weekly: Entry[];
  monthly: Entry[];
  annual: Entry[];
}

export function emptyEnergy(period: Period): EnergyData {
  return { v: 1, period, day: 0, week: 0, month: 0, year: 0, switches: 0, daily: [], weekly: [], monthly: [], annual: [] };
}

/** Reads a stored document; undefined when it is not one of ours. */
export function parseEnergy(text: string | undefined): EnergyData | undefined {
  if (text === undefined) return undefined;
  try {
    const d = JSON.parse(text) as EnergyData;
    if (d && d.v === 1 && d.period && typeof d.day === 'number' && Array.isArray(d.daily)) return d;
  } catch {
    // not JSON
  }
  return undefined;
}

/** The finished periods alone, stored apart from the counters (features/energy.ts). */
export interface EnergyHistory {
  v: 1;
  daily: Entry[];
  weekly: Entry[];
  monthly: Entry[];
  annual: Entry[];
}

/** Reads a stored history; undefined when it is not one. */
export function parseHistory(text: string | undefined): EnergyHistory | undefined {
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as EnergyHistory;
    if (h && h.v === 1 && Array.isArray(h.daily) && Array.isArray(h.weekly) && Array.isArray(h.monthly) && Array.isArray(h.annual)) return h;
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * Adds a finished period. One already there (the history was stored and the
 * power went before the counters were: features/energy.ts) is not added twice;
 * it keeps the larger count, since the counters stored before it may be older.
 */
function push(list: Entry[], entry: Entry, keep: number): void {
  const kwh = Math.round(entry[1] * 1000) / 1000;
  const last = list[list.length - 1];
  if (last && last[0] === entry[0]) {
    if (kwh > last[1]) last[1] = kwh;
    return;
  }
  list.push([entry[0], kwh]);
  if (list.length > keep) list.splice(0, list.length - keep);
}

/**
 * Moves finished periods into the history; true when a count was moved (a
 * period with nothing charged leaves no entry, so the jump of a clock being
 * set, 1970 → today, writes nothing).
 */
export function rotate(d: EnergyData, now: Period): boolean {
  let changed = false;
  const roll = (key: 'day' | 'week' | 'month' | 'year', list: Entry[], keep: number) => {
    if (d.period[key] === now[key]) return;
    if (d[key] > 0) {
      push(list, [d.period[key], d[key]], keep);
      changed = true;
    }
    d[key] = 0;
  };
  roll('day', d.daily, KEEP.daily);
  roll('week', d.weekly, KEEP.weekly);
  roll('month', d.monthly, KEEP.monthly);
  roll('year', d.annual, KEEP.annual);
  d.period = now;
  return changed;
}

/** Adds energy charged in the current period. */
export function addEnergy(d: EnergyData, kwh: number): void {
  d.day += kwh;
  d.week += kwh;
  d.month += kwh;
  d.year += kwh;
}
