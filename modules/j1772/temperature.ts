// Thermal protection: above a threshold the advertised current is halved, then
// quartered, and at the panic level the controller faults. Step-ups need the
// temperature to fall below a lower mark, so the current does not oscillate.
// Thresholds in tenths of a degree Celsius, OpenEVSE's ambient ones.

import { EvseState } from './evse-state';
import type { SafetyCheck, Sense } from './faults';

export interface ThermalThresholds {
  /** ≥ → half current. */
  throttle: number;
  /** Half current returns to full at or below this. */
  restore: number;
  /** ≥ → quarter current. */
  shutdown: number;
  /** ≥ → over-temperature fault. */
  panic: number;
}

export const DEFAULT_THERMAL: Readonly<ThermalThresholds> = Object.freeze({
  throttle: 650,
  restore: 620,
  shutdown: 680,
  panic: 710,
});

export const Thermal = Object.freeze({ Full: 0, Half: 1, Quarter: 2, Panic: 3 });

/** The new thermal level from the previous one and the hottest sensor (null: no sensor). */
export function thermalLevel(previous: number, hottest: number | null, t: ThermalThresholds = DEFAULT_THERMAL): number {
  if (hottest === null) return Thermal.Full;
  if (hottest >= t.panic) return Thermal.Panic;
  if (hottest >= t.shutdown) return Thermal.Quarter;
  if (previous >= Thermal.Quarter && hottest > t.throttle) return Thermal.Quarter;
  if (hottest >= t.throttle) return Thermal.Half;
  if (previous >= Thermal.Half && hottest > t.restore) return Thermal.Half;
  return Thermal.Full;
}

/** The current allowed at a thermal level, never below the J1772 minimum. */
export function thermalLimit(level: number, amps: number, minimum: number): number {
  if (level === Thermal.Half) return Math.max(minimum, Math.floor(amps / 2));
  if (level >= Thermal.Quarter) return Math.max(minimum, Math.floor(amps / 4));
  return amps;
}

/** The hottest present sensor, or null. */
export function hottest(readings: readonly (number | null)[]): number | null {
  let max: number | null = null;
  for (const r of readings) if (r !== null && (max === null || r > max)) max = r;
  return max;
}

/** The panic level as a periodic check: the over-temperature fault (the relay opens 5 s later, faults.ts). */
export class OverTemperatureCheck implements SafetyCheck {
  readonly fault = EvseState.OverTemperature;

  evaluate(s: Sense): boolean {
    return s.thermal === Thermal.Panic;
  }

  reset(): void {}
}
