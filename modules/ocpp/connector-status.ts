// What the charger reports in StatusNotification (OCPP 1.6 §4.9): the status of
// connector 1 from the EVSE state, the transaction and the availability, and
// the error code of every controller fault, as OpenEVSE's ocpp.cpp maps them.
// Rules as data: the fault table is the whole mapping.

import { EvseState } from '../j1772/evse-state';

export type ConnectorStatus = 'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV' | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted';

/** What the charger measures and knows, as the OCPP feature reads it from the gateway's status. */
export interface ChargerReading {
  /** EVSE state code (evse-state.ts). */
  state: number;
  /** An EV is connected (pilot B, C or D, or the connected flag). */
  plugged: boolean;
  /** Lifetime energy, Wh (the meter register). */
  energyWh: number;
  /** Active power, W. */
  powerW: number;
  /** Measured current, A. */
  currentA: number;
  /** Current offered on the pilot, A (0 when not offering). */
  offeredA: number;
  voltageV: number;
  /** °C, when a sensor is present. */
  temperatureC?: number;
}

export interface Fault {
  errorCode: 'GroundFailure' | 'PowerSwitchFailure' | 'HighTemperature' | 'OverCurrentFailure' | 'OtherError';
  info: string;
}

/** EVSE fault states → OCPP error codes (ocpp.cpp's addErrorCodeInput/addErrorDataInput). */
export const FAULTS: Readonly<Record<number, Fault>> = {
  [EvseState.D]: { errorCode: 'OtherError', info: 'ventilation required' },
  [EvseState.DiodeCheckFailed]: { errorCode: 'GroundFailure', info: 'diode check failed' },
  [EvseState.GfciFault]: { errorCode: 'GroundFailure', info: 'GFI fault' },
  [EvseState.NoGround]: { errorCode: 'GroundFailure', info: 'no earth / ground' },
  [EvseState.StuckRelay]: { errorCode: 'PowerSwitchFailure', info: 'stuck relay' },
  [EvseState.GfciTestFailed]: { errorCode: 'GroundFailure', info: 'GFI self test failed' },
  [EvseState.OverTemperature]: { errorCode: 'HighTemperature', info: 'over temperature' },
  [EvseState.OverCurrent]: { errorCode: 'OverCurrentFailure', info: 'over current' },
  [EvseState.RelayClosureFault]: { errorCode: 'PowerSwitchFailure', info: 'relay closure fault' },
};

export interface StatusReport {
  status: ConnectorStatus;
  errorCode: Fault['errorCode'] | 'NoError';
  info?: string;
}

export interface SessionView {
  /** The connector is Operative (ChangeAvailability). */
  operative: boolean;
  /** A transaction runs (or is authorised and waits for the EV). */
  transaction: boolean;
  /** A transaction ended and the EV is still plugged. */
  finishing: boolean;
}

export function connectorStatus(r: ChargerReading, s: SessionView): StatusReport {
  const fault = FAULTS[r.state];
  if (fault) return { status: 'Faulted', errorCode: fault.errorCode, info: fault.info };
  const report = (status: ConnectorStatus): StatusReport => ({ status, errorCode: 'NoError' });
  if (s.transaction) {
    if (!r.plugged) return report('Preparing');
    if (r.state === EvseState.C) return report('Charging');
    if (r.state === EvseState.Sleeping || r.state === EvseState.Disabled || r.offeredA <= 0) return report('SuspendedEVSE');
    return report('SuspendedEV');
  }
  if (!s.operative) return report('Unavailable');
  if (r.plugged) return report(s.finishing ? 'Finishing' : 'Preparing');
  return report('Available');
}

/** Connector 0 is the charge point as a whole: Unavailable when set Inoperative, else Available. */
export function chargePointStatus(operative: boolean): StatusReport {
  return { status: operative ? 'Available' : 'Unavailable', errorCode: 'NoError' };
}
