// Composite schedules (OCPP 1.6 §3.13) by hand-computed examples: absolute,
// recurring and relative profiles, stack levels, A and W, validity windows.
import { describe, it, expect } from '../harness';
import { composite, limitAt, type ChargingProfile, type Installed } from '../../../modules/ocpp/composite-schedule';
import { ChargingProfiles, profileError } from '../../../modules/ocpp/charging-profiles';
import { MemoryStorage } from '../../../sim/memory-storage';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const e = { voltage: 230, phases: 1 };
const iso = (ms: number): string => new Date(ms).toISOString();

function profile(over: Partial<ChargingProfile> & { periods?: [number, number][]; unit?: 'A' | 'W'; duration?: number; startSchedule?: string }): Installed {
  const { periods = [[0, 16]], unit = 'A', duration, startSchedule, ...rest } = over;
  return {
    connectorId: 1,
    receivedAt: T0,
    profile: {
      chargingProfileId: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: unit, duration, startSchedule, chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) },
      ...rest,
    },
  };
}

describe('composite schedule', () => {
  it('absolute: periods from startSchedule, nothing after the duration', () => {
    const p = [profile({ startSchedule: iso(T0), periods: [[0, 10], [600, 20]], duration: 1200 })];
    expect(limitAt(p, T0 - 1, undefined, e)).toBeUndefined();
    expect(limitAt(p, T0, undefined, e)).toBe(10);
    expect(limitAt(p, T0 + 599999, undefined, e)).toBe(10);
    expect(limitAt(p, T0 + 600000, undefined, e)).toBe(20);
    expect(limitAt(p, T0 + 1200000, undefined, e)).toBeUndefined();
  });

  it('recurring daily: the same periods every day from startSchedule', () => {
    const p = [profile({ chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: iso(Date.UTC(2026, 0, 1, 18)), periods: [[0, 6], [4 * 3600, 32]] })];
    expect(limitAt(p, Date.UTC(2026, 5, 1, 19), undefined, e)).toBe(6);
    expect(limitAt(p, Date.UTC(2026, 5, 1, 23), undefined, e)).toBe(32);
    expect(limitAt(p, Date.UTC(2026, 5, 2, 17, 59), undefined, e)).toBe(32);
    expect(limitAt(p, Date.UTC(2026, 5, 2, 18), undefined, e)).toBe(6);
  });

  it('relative: periods count from the transaction start', () => {
    const p = [profile({ chargingProfileKind: 'Relative', periods: [[0, 8], [1800, 16]] })];
    const tx = { id: 5, start: T0 };
    expect(limitAt(p, T0 + 1799000, tx, e)).toBe(8);
    expect(limitAt(p, T0 + 1800000, tx, e)).toBe(16);
  });

  it('the highest stack level in force wins within a purpose; ChargePointMax caps; TxProfile replaces TxDefault', () => {
    const low = profile({ stackLevel: 0, periods: [[0, 16]] });
    const high = profile({ chargingProfileId: 2, stackLevel: 3, startSchedule: iso(T0), duration: 600, periods: [[0, 10]] });
    const max = profile({ chargingProfileId: 3, chargingProfilePurpose: 'ChargePointMaxProfile', periods: [[0, 12]] });
    const tx = profile({ chargingProfileId: 4, chargingProfilePurpose: 'TxProfile', transactionId: 9, periods: [[0, 7]] });
    expect(limitAt([low, high], T0, undefined, e)).toBe(10);
    expect(limitAt([low, high], T0 + 600000, undefined, e)).toBe(16); // the level-3 profile has run out
    expect(limitAt([low, high, max], T0 + 600000, undefined, e)).toBe(12);
    expect(limitAt([low, tx], T0, undefined, e)).toBe(16); // no transaction: the TxProfile does not apply
    expect(limitAt([low, tx], T0, { id: 9, start: T0 }, e)).toBe(7);
    expect(limitAt([low, tx], T0, { id: 10, start: T0 }, e)).toBe(16); // another transaction's profile
  });

  it('W limits become A at the voltage on the phases the charger has', () => {
    expect(limitAt([profile({ unit: 'W', periods: [[0, 3680]] })], T0, undefined, e)).toBe(16);
    expect(limitAt([profile({ unit: 'W', periods: [[0, 11040]] })], T0, undefined, { voltage: 230, phases: 3 })).toBe(16);
  });

  it('GetCompositeSchedule: periods relative to now, merged, capped by the charger maximum, in A or W', () => {
    const p = [profile({ startSchedule: iso(T0 + 600000), periods: [[0, 10], [600, 10], [1200, 40]], duration: 3600 })];
    expect(composite(p, T0, 7200, 'A', undefined, e, 32)).toEqual([
      { startPeriod: 0, limit: 32 },
      { startPeriod: 600, limit: 10 },
      { startPeriod: 1800, limit: 32 },
    ]);
    expect(composite(p, T0 + 600000, 600, 'W', undefined, e, 32)).toEqual([{ startPeriod: 0, limit: 2300 }]);
  });
});

describe('installed profiles', () => {
  const doc = profile({}).profile;
  it('rules: ChargePointMax only on connector 0, TxProfile only in a transaction, bad documents refused', () => {
    const p = new ChargingProfiles(new MemoryStorage());
    expect(p.set(1, { ...doc, chargingProfilePurpose: 'ChargePointMaxProfile' }, T0, false)).toBe('Rejected');
    expect(p.set(1, { ...doc, chargingProfilePurpose: 'TxProfile' }, T0, false)).toBe('Rejected');
    expect(p.set(1, { ...doc, chargingProfilePurpose: 'TxProfile' }, T0, true)).toBe('Accepted');
    expect(p.set(2, doc, T0, false)).toBe('Rejected');
    expect(profileError({ ...doc, stackLevel: 9 })).toBe('stackLevel must be 0 … 8');
    expect(profileError({ ...doc, chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 5, limit: 1 }] } })).toBe('the first period must start at 0');
    expect(profileError({ ...doc, chargingProfileKind: 'Recurring' })).toBe('a Recurring profile needs recurrencyKind Daily or Weekly');
  });

  it('same id or same purpose and stack level replaces; the end of a transaction clears TxProfiles; persisted', () => {
    const storage = new MemoryStorage();
    const p = new ChargingProfiles(storage);
    p.set(1, doc, T0, false);
    p.set(1, { ...doc, chargingProfileId: 2 }, T0, false);
    expect(p.installed.map((i) => i.profile.chargingProfileId)).toEqual([2]);
    p.set(1, { ...doc, chargingProfileId: 3, stackLevel: 1 }, T0, false);
    p.set(1, { ...doc, chargingProfileId: 4, chargingProfilePurpose: 'TxProfile' }, T0, true);
    p.endTransaction();
    expect(new ChargingProfiles(storage).installed.map((i) => i.profile.chargingProfileId)).toEqual([2, 3]);
  });
});
