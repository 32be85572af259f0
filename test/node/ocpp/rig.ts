// An in-process charge point on real sockets and real timers against the
// schema-validating central system; the charger side is a reading the test
// sets (plugged, charging, energy), the way the gateway feature feeds it.
import { ChargePoint, type OcppSettings } from '../../../modules/ocpp/charge-point';
import type { ChargerReading } from '../../../modules/ocpp/connector-status';
import { EvseState } from '../../../modules/j1772/evse-state';
import { NodeClock } from '../../../hosts/node/clock';
import { wsConnect } from '../../../hosts/node/ocpp-socket';
import { MemoryStorage } from '../../../sim/memory-storage';

export interface Rig {
  cp: ChargePoint;
  reading: ChargerReading;
  settings: OcppSettings;
  storage: MemoryStorage;
  resets: boolean[];
  logs: string[];
}

export function idle(): ChargerReading {
  return { state: EvseState.A, plugged: false, energyWh: 1000, powerW: 0, currentA: 0, offeredA: 32, voltageV: 240, temperatureC: 25 };
}

export function makeRig(url: string, over: Partial<OcppSettings> = {}, storage = new MemoryStorage(), identity = 'CP1'): Rig {
  const clock = new NodeClock();
  const reading = idle();
  const settings: OcppSettings = { server: url, chargeBoxId: identity, authKey: 'secret-key-1', idTag: 'FREE', authAuto: true, authOffline: true, suspendEvse: true, energizePlug: true, ...over };
  const resets: boolean[] = [];
  const logs: string[] = [];
  const cp = new ChargePoint({
    clock,
    timers: clock,
    storage,
    connect: wsConnect,
    settings: () => settings,
    setSetting: (_k, v) => (settings.authOffline = v),
    reading: () => reading,
    identity: { chargePointVendor: 'evse-xs', chargePointModel: 'test', firmwareVersion: '0.1.0' },
    electrical: () => ({ voltage: reading.voltageV, phases: 1 }),
    currents: () => ({ min: 6, max: 32 }),
    onReset: (hard) => resets.push(hard),
    tickInterval: 20,
    callTimeout: 3000,
    maxBackoff: 200,
    log: (l) => logs.push(l),
  });
  return { cp, reading, settings, storage, resets, logs };
}

/** Sets the reading to an EV plugged in and charging at `amps`. */
export function charging(r: ChargerReading, amps: number): void {
  Object.assign(r, { state: EvseState.C, plugged: true, currentA: amps, powerW: amps * r.voltageV });
}
