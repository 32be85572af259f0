// The numbers a controller shares with the outside world over RAPI: EVSE state
// codes, the volatile status flags of $GS/$AT and the persistent feature flags
// of $GE. Values are OpenEVSE 8.2.3's (J1772EvseController.h), because the
// gateway and its clients decode them.

import { PILOT_STATES } from './pilot';

export const EvseState = Object.freeze({
  /** Starting, or a fault just cleared and the pilot not yet re-read. */
  Unknown: 0x00,
  /** 12 V: no EV. */
  A: 0x01,
  /** 9 V: EV connected, not charging. */
  B: 0x02,
  /** 6 V: charging, relay closed. */
  C: 0x03,
  /** 3 V: EV asks for ventilation; the first fault state. */
  D: 0x04,
  DiodeCheckFailed: 0x05,
  GfciFault: 0x06,
  NoGround: 0x07,
  StuckRelay: 0x08,
  GfciTestFailed: 0x09,
  OverTemperature: 0x0a,
  OverCurrent: 0x0b,
  RelayClosureFault: 0x0e,
  /** Paused: pilot steady +12 V, so plugging and unplugging are still seen. */
  Sleeping: 0xfe,
  /** Disabled: pilot steady −12 V, relay open. */
  Disabled: 0xff,
});

export function isFaultState(state: number): boolean {
  return state >= EvseState.D && state <= EvseState.RelayClosureFault;
}

/** The state code of a pilot letter as `$GS`/`$AT` report the pilot ('E', 'F': Unknown). */
export function pilotStateCode(pilot: string): number {
  switch (pilot) {
    case 'A': return EvseState.A;
    case 'B': return EvseState.B;
    case 'C': return EvseState.C;
    case 'D': return EvseState.D;
    default: return EvseState.Unknown;
  }
}

/**
 * The state a pilot reading asks for, before the debounce. C and D mean
 * something only while PWM offers current; on a steady pilot they are B. D
 * (ventilation) is the vent-required fault unless `$FF V 0` lets it charge as
 * C. E and F (pilot shorted or held negative) ask for Unknown: no power.
 */
export function requestedState(pilot: string, diodeFault: boolean, pwm: boolean, ventCheck: boolean): number {
  if (diodeFault) return EvseState.DiodeCheckFailed;
  switch (pilot) {
    case 'A': return EvseState.A;
    case 'B': return EvseState.B;
    case 'C': return pwm ? EvseState.C : EvseState.B;
    case 'D': return pwm ? (ventCheck ? EvseState.D : EvseState.C) : EvseState.B;
    default: return EvseState.Unknown;
  }
}

/**
 * True when a pilot letter lets power stay on: C, or D when ventilation is
 * allowed (`$FF V 0`). Anything else means the EV has stopped drawing or the
 * wire is faulty, and a closed relay must open.
 */
export function mayKeepPower(pilot: string, ventAllowed: boolean): boolean {
  return pilot === 'C' || (pilot === 'D' && ventAllowed);
}

/** Human names, for logs and the dashboard. */
export function stateName(state: number): string {
  switch (state) {
    case EvseState.Unknown: return 'starting';
    case EvseState.A: return 'not connected';
    case EvseState.B: return 'connected';
    case EvseState.C: return 'charging';
    case EvseState.D: return 'vent required';
    case EvseState.DiodeCheckFailed: return 'diode check failed';
    case EvseState.GfciFault: return 'GFCI fault';
    case EvseState.NoGround: return 'no ground';
    case EvseState.StuckRelay: return 'stuck relay';
    case EvseState.GfciTestFailed: return 'GFCI self-test failed';
    case EvseState.OverTemperature: return 'over temperature';
    case EvseState.OverCurrent: return 'over current';
    case EvseState.RelayClosureFault: return 'relay closure fault';
    case EvseState.Sleeping: return 'sleeping';
    case EvseState.Disabled: return 'disabled';
    default: return 'unknown';
  }
}

/** Volatile flags ($GS 4th field, $AT 4th field). */
export const VFlag = Object.freeze({
  AutoServiceLevelSkipped: 0x0001,
  HardFault: 0x0002,
  LimitSleep: 0x0004,
  AuthLocked: 0x0008,
  TimeLimit: 0x0010,
  NoGroundTripped: 0x0020,
  RelayClosed: 0x0040,
  GfciTripped: 0x0080,
  EvConnected: 0x0100,
  SessionEnded: 0x0200,
  EvConnectedPrevious: 0x0400,
  DelayTimer: 0x1000,
  ChargeLimit: 0x2000,
});

/** The subset of vflags whose change makes the controller send $AT. */
export const AT_VFLAGS = VFlag.AuthLocked | VFlag.EvConnected | VFlag.TimeLimit | VFlag.ChargeLimit | VFlag.HardFault;

/** Persistent feature flags ($GE 2nd field). A set bit *disables* most checks. */
export const Feature = Object.freeze({
  L2: 0x0001,
  DiodeCheckDisabled: 0x0002,
  VentCheckDisabled: 0x0004,
  GroundCheckDisabled: 0x0008,
  StuckRelayCheckDisabled: 0x0010,
  AutoServiceLevelDisabled: 0x0020,
  AutoStartDisabled: 0x0040,
  SerialDebug: 0x0080,
  GfciSelfTestDisabled: 0x0200,
  TemperatureCheckDisabled: 0x0400,
  /** Ours, not OpenEVSE 8.x's: 0x4000 is unused in both 8.x and 9.x (docs/safety.md). */
  OverCurrentCheckDisabled: 0x4000,
  ButtonDisabled: 0x8000,
});

/** `$FF letter 0|1`: the feature bit each letter toggles (1 = enable = clear the bit). */
export const FEATURE_LETTERS: Readonly<Record<string, number>> = Object.freeze({
  B: Feature.ButtonDisabled,
  /** Ours: `$FF S 0` boots asleep until `$FE` (load sharing: a charger never offers current before its gateway has a share). */
  S: Feature.AutoStartDisabled,
  D: Feature.DiodeCheckDisabled,
  F: Feature.GfciSelfTestDisabled,
  G: Feature.GroundCheckDisabled,
  O: Feature.OverCurrentCheckDisabled,
  R: Feature.StuckRelayCheckDisabled,
  T: Feature.TemperatureCheckDisabled,
  V: Feature.VentCheckDisabled,
});

/** pilotStateCode by pilot index (pilot.ts PILOT_STATES, A–F). */
export const PILOT_STATE_CODES: readonly number[] = PILOT_STATES.map(pilotStateCode);

/**
 * requestedState without a diode fault, by `(pilot index << 2) | (pwm ? 2 : 0)
 * | (vent check ? 1 : 0)`: worked out from requestedState once, so the
 * control tick looks its answer up instead of calling it.
 */
export const REQUESTED: readonly number[] = PILOT_STATES.flatMap((p) => [0, 1, 2, 3].map((k) => requestedState(p, false, (k & 2) !== 0, (k & 1) !== 0)));
