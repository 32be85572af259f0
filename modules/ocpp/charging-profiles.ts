// The installed charging profiles (OCPP 1.6 SetChargingProfile and
// ClearChargingProfile): the rules for what may be installed where, the
// replacement rules (same id, or same purpose and stack level on the same
// connector), limits from the configuration table, and persistence through the
// Storage port so a reboot keeps the central system's limits. The maths is in
// composite-schedule.ts.

import type { Storage } from '../ports';
import type { ChargingProfile, Installed, Purpose } from './composite-schedule';

const STORAGE_KEY = 'ocpp.prof';
export const MAX_PROFILES = 8;
export const MAX_STACK_LEVEL = 8;
export const MAX_PERIODS = 24;

const PURPOSES: readonly string[] = ['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'];
const KINDS: readonly string[] = ['Absolute', 'Recurring', 'Relative'];

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Why a profile document cannot be installed, or undefined when it is well formed. */
export function profileError(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return 'csChargingProfiles must be an object';
  const p = doc as Record<string, unknown>;
  if (!isInt(p.chargingProfileId)) return 'chargingProfileId must be an integer';
  if (!isInt(p.stackLevel) || p.stackLevel < 0 || p.stackLevel > MAX_STACK_LEVEL) return `stackLevel must be 0 … ${MAX_STACK_LEVEL}`;
  if (!PURPOSES.includes(p.chargingProfilePurpose as string)) return 'unknown chargingProfilePurpose';
  if (!KINDS.includes(p.chargingProfileKind as string)) return 'unknown chargingProfileKind';
  if (p.chargingProfileKind === 'Recurring' && p.recurrencyKind !== 'Daily' && p.recurrencyKind !== 'Weekly') return 'a Recurring profile needs recurrencyKind Daily or Weekly';
  const s = p.chargingSchedule as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) return 'chargingSchedule missing';
  if (s.chargingRateUnit !== 'A' && s.chargingRateUnit !== 'W') return 'chargingRateUnit must be A or W';
  if (p.chargingProfileKind === 'Recurring' && typeof s.startSchedule !== 'string') return 'a Recurring profile needs startSchedule';
  const periods = s.chargingSchedulePeriod;
  if (!Array.isArray(periods) || periods.length === 0) return 'chargingSchedulePeriod must list at least one period';
  if (periods.length > MAX_PERIODS) return `at most ${MAX_PERIODS} periods`;
  let last = -1;
  for (const q of periods as Record<string, unknown>[]) {
    if (!isInt(q.startPeriod) || q.startPeriod <= last) return 'startPeriod must be integers in increasing order';
    if (typeof q.limit !== 'number' || !(q.limit >= 0)) return 'limit must be a number ≥ 0';
    last = q.startPeriod;
  }
  if ((periods[0] as Record<string, unknown>).startPeriod !== 0) return 'the first period must start at 0';
  return undefined;
}

export type SetStatus = 'Accepted' | 'Rejected' | 'NotSupported';

export class ChargingProfiles {
  readonly #storage: Storage;
  #all: Installed[] = [];

  constructor(storage: Storage) {
    this.#storage = storage;
    try {
      const saved = JSON.parse(storage.read(STORAGE_KEY) ?? '[]') as Installed[];
      if (Array.isArray(saved)) this.#all = saved.filter((i) => i && profileError(i.profile) === undefined);
    } catch {
      this.#all = [];
    }
  }

  get installed(): readonly Installed[] {
    return this.#all;
  }

  /** SetChargingProfile. `txActive` is whether a transaction runs on the connector. */
  set(connectorId: number, profile: ChargingProfile, now: number, txActive: boolean): SetStatus {
    if (profileError(profile) !== undefined || connectorId < 0 || connectorId > 1) return 'Rejected';
    const purpose: Purpose = profile.chargingProfilePurpose;
    if (purpose === 'ChargePointMaxProfile' && connectorId !== 0) return 'Rejected';
    if (purpose === 'TxProfile' && (connectorId === 0 || !txActive)) return 'Rejected';
    const keep = this.#all.filter(
      (i) => i.profile.chargingProfileId !== profile.chargingProfileId && !(i.profile.chargingProfilePurpose === purpose && i.profile.stackLevel === profile.stackLevel && i.connectorId === connectorId),
    );
    if (keep.length >= MAX_PROFILES) return 'Rejected';
    keep.push({ connectorId, profile, receivedAt: now });
    this.#all = keep;
    this.#save();
    return 'Accepted';
  }

  /** ClearChargingProfile: every criterion given must match; true when something was removed. */
  clear(criteria: { id?: number; connectorId?: number; chargingProfilePurpose?: string; stackLevel?: number }): boolean {
    const keep = this.#all.filter((i) => {
      if (criteria.id !== undefined) return i.profile.chargingProfileId !== criteria.id;
      if (criteria.connectorId !== undefined && i.connectorId !== criteria.connectorId) return true;
      if (criteria.chargingProfilePurpose !== undefined && i.profile.chargingProfilePurpose !== criteria.chargingProfilePurpose) return true;
      if (criteria.stackLevel !== undefined && i.profile.stackLevel !== criteria.stackLevel) return true;
      return false;
    });
    const removed = keep.length !== this.#all.length;
    this.#all = keep;
    if (removed) this.#save();
    return removed;
  }

  /** A transaction ended: its TxProfiles go with it (§3.13.3). */
  endTransaction(): void {
    this.clear({ chargingProfilePurpose: 'TxProfile' });
  }

  #save(): void {
    this.#storage.write(STORAGE_KEY, JSON.stringify(this.#all));
  }
}
