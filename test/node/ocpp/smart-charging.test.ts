// Smart charging over the wire: the profile purposes and stack levels, W and A,
// GetCompositeSchedule, and an evcc-style loop (TxDefaultProfile in 0.1 A
// steps, 0 A to pause) turned into the claim OCPP files with the arbiter.
import { afterEach, beforeEach, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem } from '../../../hosts/node/central-system';
import { charging, makeRig, type Rig } from './rig';

let cs: CentralSystem;
let rig: Rig;

beforeEach(async () => {
  cs = await CentralSystem.start();
  rig = makeRig(cs.url);
  rig.cp.start();
  await cs.waitFor(() => cs.sent('CP1', 'StatusNotification').length >= 2, 5000, 'boot');
});

afterEach(async () => {
  rig.cp.stop();
  await cs.close();
  expect(cs.failures).toEqual([]);
});

const call = (action: string, params: Record<string, unknown>) => cs.call('CP1', action, params);

function txDefault(id: number, limit: number, stackLevel = 0, unit: 'A' | 'W' = 'A', kind: 'Absolute' | 'Relative' = 'Absolute') {
  return {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: id,
      stackLevel,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: kind,
      chargingSchedule: { chargingRateUnit: unit, chargingSchedulePeriod: [{ startPeriod: 0, limit, numberPhases: 1 }] },
    },
  };
}

describe('smart charging against a schema-validating central system', () => {
  it('stack levels, W → A, ChargePointMaxProfile caps, TxProfile only during a transaction, Clear', async () => {
    expect(await call('SetChargingProfile', txDefault(1, 16))).toEqual({ status: 'Accepted' });
    expect(rig.cp.limit).toBe(16);
    expect(await call('SetChargingProfile', txDefault(2, 2400, 1, 'W'))).toEqual({ status: 'Accepted' });
    expect(rig.cp.limit).toBe(10); // 2400 W / 240 V on one phase, level 1 above level 0
    const max = { chargingProfileId: 3, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] } };
    expect(await call('SetChargingProfile', { connectorId: 1, csChargingProfiles: max })).toEqual({ status: 'Rejected' });
    expect(await call('SetChargingProfile', { connectorId: 0, csChargingProfiles: max })).toEqual({ status: 'Accepted' });
    expect(rig.cp.limit).toBe(8);
    const txp = { ...txDefault(4, 20).csChargingProfiles, chargingProfilePurpose: 'TxProfile' };
    expect(await call('SetChargingProfile', { connectorId: 1, csChargingProfiles: txp })).toEqual({ status: 'Rejected' });
    expect(await call('ClearChargingProfile', { chargingProfilePurpose: 'ChargePointMaxProfile' })).toEqual({ status: 'Accepted' });
    expect(await call('ClearChargingProfile', { id: 77 })).toEqual({ status: 'Unknown' });
    charging(rig.reading, 10);
    await cs.waitFor(() => rig.cp.transactions.transactionId !== undefined, 3000, 'transaction');
    expect(await call('SetChargingProfile', { connectorId: 1, csChargingProfiles: { ...txp, transactionId: rig.cp.transactions.transactionId } })).toEqual({ status: 'Accepted' });
    expect(rig.cp.limit).toBe(20); // the TxProfile replaces TxDefault for this transaction
    const sched = await call('GetCompositeSchedule', { connectorId: 1, duration: 3600, chargingRateUnit: 'W' });
    expect(sched.status).toBe('Accepted');
    expect((sched.chargingSchedule as { chargingSchedulePeriod: unknown[] }).chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 4800 }]);
    expect(await call('ClearChargingProfile', {})).toEqual({ status: 'Accepted' });
    expect(rig.cp.limit).toBeUndefined();
    expect(await call('GetCompositeSchedule', { connectorId: 2, duration: 60 })).toEqual({ status: 'Rejected' });
  });

  it('evcc-style control: TxDefaultProfile in 0.1 A steps sets the claim in whole amps; 0 A pauses; profiles survive a reboot', async () => {
    charging(rig.reading, 16);
    await cs.waitFor(() => rig.cp.transactions.transactionId !== undefined, 3000, 'transaction');
    expect(rig.cp.claim).toEqual({ state: 'active' });
    const steps: [number, unknown][] = [
      [16, { state: 'active', charge_current: 16 }],
      [6.3, { state: 'active', charge_current: 6 }],
      [10.7, { state: 'active', charge_current: 10 }],
      [5.9, { state: 'disabled' }],
      [0, { state: 'disabled' }],
      [13.2, { state: 'active', charge_current: 13 }],
    ];
    for (const [amps, claim] of steps) {
      expect(await call('SetChargingProfile', txDefault(1, amps))).toEqual({ status: 'Accepted' });
      expect(rig.cp.limit).toBe(amps);
      expect(rig.cp.claim).toEqual(claim);
      const s = await call('GetCompositeSchedule', { connectorId: 1, duration: 60, chargingRateUnit: 'A' });
      expect((s.chargingSchedule as { chargingSchedulePeriod: { limit: number }[] }).chargingSchedulePeriod[0].limit).toBe(amps);
    }
    // With ocpp_suspend_evse off OCPP never pauses: 0 A leaves the state to the other features.
    rig.settings.suspendEvse = false;
    await call('SetChargingProfile', txDefault(1, 0));
    expect(rig.cp.claim).toBeUndefined();
    rig.cp.stop();
    const again = makeRig(cs.url, {}, rig.storage);
    expect(again.cp.profiles.installed.map((p) => p.profile.chargingSchedule.chargingSchedulePeriod[0].limit)).toEqual([0]);
  });
});
