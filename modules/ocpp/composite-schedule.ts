// OCPP 1.6 smart-charging maths (§3.13): which limit a charging profile sets at
// a given time, and the composite of all installed profiles, the lowest of the
// charge point maximum and the transaction's limit, where within each purpose
// the highest stack level that is in force wins. Pure functions over plain
// profile documents; times are UTC ms.

export type Purpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
export type Unit = 'A' | 'W';

export interface SchedulePeriod {
  /** s from the start of the schedule. */
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface ChargingSchedule {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: Unit;
  chargingSchedulePeriod: SchedulePeriod[];
  minChargingRate?: number;
}

export interface ChargingProfile {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: Purpose;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  chargingSchedule: ChargingSchedule;
}

/** What an installed profile needs beyond its document: when it arrived (the start of an Absolute profile without one). */
export interface Installed {
  connectorId: number;
  profile: ChargingProfile;
  receivedAt: number;
}

/** The transaction the limits apply to, if one runs. */
export interface TxContext {
  /** Central system's transaction id, when known. */
  id?: number;
  /** UTC ms the transaction started. */
  start: number;
}

export interface Electrical {
  /** Volts per phase, to turn W into A. */
  voltage: number;
  /** Phases the charger can use (1 for a single-phase J1772 station). */
  phases: number;
}

const DAY = 86400000;
const WEEK = 7 * DAY;

function time(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** The schedule's start in force at `t`, or undefined when the profile does not apply then. */
export function scheduleStart(p: Installed, t: number, tx: TxContext | undefined): number | undefined {
  const prof = p.profile;
  const from = time(prof.validFrom);
  const to = time(prof.validTo);
  if ((from !== undefined && t < from) || (to !== undefined && t >= to)) return undefined;
  const s = prof.chargingSchedule;
  if (prof.chargingProfileKind === 'Relative') return tx ? tx.start : t;
  const base = time(s.startSchedule) ?? p.receivedAt;
  if (prof.chargingProfileKind === 'Recurring') {
    const period = prof.recurrencyKind === 'Weekly' ? WEEK : DAY;
    if (t < base) return undefined;
    return base + Math.floor((t - base) / period) * period;
  }
  return base;
}

/** The period of `p` in force at `t`: its limit in the profile's unit, or undefined. */
export function periodAt(p: Installed, t: number, tx: TxContext | undefined): SchedulePeriod | undefined {
  const start = scheduleStart(p, t, tx);
  if (start === undefined || t < start) return undefined;
  const s = p.profile.chargingSchedule;
  const offset = (t - start) / 1000;
  if (s.duration !== undefined && offset >= s.duration) return undefined;
  let found: SchedulePeriod | undefined;
  for (const period of s.chargingSchedulePeriod) if (period.startPeriod <= offset) found = period;
  return found;
}

/** A limit in amps per phase. */
export function toAmps(limit: number, unit: Unit, numberPhases: number | undefined, e: Electrical): number {
  if (unit === 'A') return limit;
  // The 1.6 default for numberPhases is 3; a single-phase station draws on one whatever the profile assumes.
  const phases = Math.min(numberPhases ?? 3, e.phases);
  return limit / (e.voltage * phases);
}

function applies(p: Installed, tx: TxContext | undefined): boolean {
  if (p.profile.chargingProfilePurpose !== 'TxProfile') return true;
  return tx !== undefined && (p.profile.transactionId === undefined || tx.id === undefined || p.profile.transactionId === tx.id);
}

/** The limit of the highest stack level of one purpose in force at `t`, in A. */
function purposeLimit(all: readonly Installed[], purpose: Purpose, t: number, tx: TxContext | undefined, e: Electrical): number | undefined {
  let best: { level: number; amps: number } | undefined;
  for (const p of all) {
    if (p.profile.chargingProfilePurpose !== purpose || !applies(p, tx)) continue;
    if (best && p.profile.stackLevel <= best.level) continue;
    const period = periodAt(p, t, tx);
    if (!period) continue;
    best = { level: p.profile.stackLevel, amps: toAmps(period.limit, p.profile.chargingSchedule.chargingRateUnit, period.numberPhases, e) };
  }
  return best?.amps;
}

/** The composite limit at `t` in A, or undefined when no profile limits the charger. */
export function limitAt(all: readonly Installed[], t: number, tx: TxContext | undefined, e: Electrical): number | undefined {
  const max = purposeLimit(all, 'ChargePointMaxProfile', t, tx, e);
  const txLimit = (tx && purposeLimit(all, 'TxProfile', t, tx, e)) ?? purposeLimit(all, 'TxDefaultProfile', t, tx, e);
  if (max === undefined) return txLimit;
  if (txLimit === undefined) return max;
  return Math.min(max, txLimit);
}

/** Every time in [from, to) at which some profile's limit may change. */
function breakpoints(all: readonly Installed[], from: number, to: number, tx: TxContext | undefined): number[] {
  const out = new Set<number>([from]);
  const add = (t: number | undefined): void => {
    if (t !== undefined && t > from && t < to) out.add(t);
  };
  for (const p of all) {
    add(time(p.profile.validFrom));
    add(time(p.profile.validTo));
    const s = p.profile.chargingSchedule;
    const starts: number[] = [];
    if (p.profile.chargingProfileKind === 'Recurring') {
      const period = p.profile.recurrencyKind === 'Weekly' ? WEEK : DAY;
      const base = time(s.startSchedule) ?? p.receivedAt;
      const first = from > base ? base + Math.floor((from - base) / period) * period : base;
      for (let k = first; k < to; k += period) starts.push(k);
    } else {
      const start = scheduleStart(p, from, tx) ?? (p.profile.chargingProfileKind === 'Absolute' ? time(s.startSchedule) ?? p.receivedAt : undefined);
      if (start !== undefined) starts.push(start);
    }
    for (const start of starts) {
      for (const period of s.chargingSchedulePeriod) add(start + period.startPeriod * 1000);
      if (s.duration !== undefined) add(start + s.duration * 1000);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Rounds to the 0.1 grid the OCPP 1.6 schema requires of a limit. */
export function tenth(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * GetCompositeSchedule: the composite over [from, from + duration s) as periods
 * relative to `from`, in `unit`. Where no profile limits the charger the
 * period carries `ceiling` (the charger's own maximum, A).
 */
export function composite(all: readonly Installed[], from: number, duration: number, unit: Unit, tx: TxContext | undefined, e: Electrical, ceiling: number): SchedulePeriod[] {
  const to = from + duration * 1000;
  const periods: SchedulePeriod[] = [];
  for (const t of breakpoints(all, from, to, tx)) {
    const amps = Math.min(limitAt(all, t, tx, e) ?? ceiling, ceiling);
    const limit = tenth(unit === 'A' ? amps : amps * e.voltage * e.phases);
    if (periods.length && periods[periods.length - 1].limit === limit) continue;
    periods.push({ startPeriod: Math.round((t - from) / 1000), limit });
  }
  return periods;
}
