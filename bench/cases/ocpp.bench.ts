import { bench } from './registry';
import { ChargePoint } from '../../modules/ocpp/charge-point';
import { composite, type Installed } from '../../modules/ocpp/composite-schedule';
import { EvseState } from '../../modules/j1772/evse-state';
import { VirtualClock } from '../../sim/clock';
import { MemoryStorage } from '../../sim/memory-storage';

/** A booted charge point in a transaction, on a virtual clock, with a socket that answers nothing. */
function charging(): { cp: ChargePoint; frames: string[] } {
  const clock = new VirtualClock({ wall: Date.UTC(2026, 5, 1) });
  const frames: string[] = [];
  let events: { onOpen(p: string): void; onMessage(t: string): void } | undefined;
  const reading = { state: EvseState.C, plugged: true, energyWh: 1000, powerW: 3840, currentA: 16, offeredA: 16, voltageV: 240, temperatureC: 30 };
  const cp = new ChargePoint({
    clock,
    timers: clock,
    storage: new MemoryStorage(),
    connect: (_o, e) => {
      events = e;
      return { send: (t) => frames.push(t), close: () => {} };
    },
    settings: () => ({ server: 'ws://cs', chargeBoxId: 'b', authKey: '', idTag: 'T', authAuto: true, authOffline: true, suspendEvse: true, energizePlug: true }),
    reading: () => reading,
    identity: { chargePointVendor: 'v', chargePointModel: 'm' },
    electrical: () => ({ voltage: 240, phases: 1 }),
    currents: () => ({ min: 6, max: 32 }),
  });
  cp.start();
  events!.onOpen('ocpp1.6');
  const id = (JSON.parse(frames[frames.length - 1]) as unknown[])[1];
  events!.onMessage(JSON.stringify([3, id, { status: 'Accepted', currentTime: '2026-06-01T00:00:00Z', interval: 300 }]));
  cp.config.change('MeterValueSampleInterval', '0');
  cp.tick();
  return { cp, frames };
}

bench('ocpp: one charge-point tick while charging (reading, transaction, status, limit)', () => {
  const { cp } = charging();
  return () => cp.tick();
});

bench('ocpp: SetChargingProfile received, validated, answered, limit recomputed', () => {
  const { cp } = charging();
  let n = 0;
  return () => {
    cp.receive(`[2,"b${n++ & 1023}","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":${6 + (n & 7)}.3}]}}}]`);
  };
});

bench('ocpp: composite schedule of 3 profiles over 24 h', () => {
  const t = Date.UTC(2026, 5, 1);
  const p = (id: number, purpose: 'TxDefaultProfile' | 'ChargePointMaxProfile', kind: 'Absolute' | 'Recurring', level: number, periods: [number, number][]): Installed => ({
    connectorId: 0,
    receivedAt: t,
    profile: { chargingProfileId: id, stackLevel: level, chargingProfilePurpose: purpose, chargingProfileKind: kind, recurrencyKind: kind === 'Recurring' ? 'Daily' : undefined, chargingSchedule: { startSchedule: new Date(t).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) } },
  });
  const all = [p(1, 'TxDefaultProfile', 'Absolute', 0, [[0, 16]]), p(2, 'TxDefaultProfile', 'Recurring', 1, [[0, 10], [21600, 32], [64800, 8]]), p(3, 'ChargePointMaxProfile', 'Absolute', 0, [[0, 24]])];
  const e = { voltage: 230, phases: 1 };
  return () => {
    composite(all, t + 3600000, 86400, 'A', undefined, e, 32);
  };
});
