// J1772 / IEC 61851-1 control pilot: the duty cycle that advertises a current,
// its inverse as an EV reads it, and the classification of a sampled pilot
// voltage into states A–F.

export const MIN_AMPS = 6;
export const MAX_AMPS = 80;
/** Below this the duty follows A / 0.6 %, above it A / 2.5 + 64 %. */
export const BREAK_AMPS = 51;

function checkAmps(amps: number): void {
  if (!Number.isFinite(amps) || amps < MIN_AMPS || amps > MAX_AMPS) {
    throw new RangeError(`pilot current ${amps} A is outside ${MIN_AMPS}–${MAX_AMPS} A`);
  }
}

/** Duty cycle in percent for an advertised current (6–80 A). */
export function ampsToDuty(amps: number): number {
  checkAmps(amps);
  return amps <= BREAK_AMPS ? amps / 0.6 : amps / 2.5 + 64;
}

/**
 * The current the pilot can actually offer for a request: IEC 61851-1's
 * table has no duty for 51–52.5 A (85 % reads 51 A, anything above reads
 * ≥ 52.5 A), so a request in the gap is offered as 51 A (EVerest does the
 * same). Found by the storms: `$SC 52` was sent as 84.8 %, read as 50.9 A.
 */
export function offerable(amps: number): number {
  return amps > BREAK_AMPS && amps < 52.5 ? BREAK_AMPS : amps;
}

/**
 * Current an EV may draw for a duty cycle in percent, as IEC 61851-1 Table A.8
 * reads it on the vehicle side. Returns 0 where the duty means "no charging"
 * (below 8 %, the 3–7 % digital-communication band, above 97 %).
 */
export function dutyToAmps(duty: number): number {
  if (!(duty >= 8) || duty > 97) return 0;
  if (duty < 10) return 6;
  if (duty <= 85) return duty * 0.6;
  if (duty <= 96) return (duty - 64) * 2.5;
  return 80;
}

/** ESP32 LEDC timers count from the 80 MHz APB clock. */
export const LEDC_CLOCK_HZ = 80_000_000;

/**
 * PWM compare count for `amps` with a counter of 2^resolution per period.
 *
 * Rounding: to the nearest count, halves up, computed in integers from the
 * exact rationals (A/60 and (2A + 320)/500 of a period), so the duty error is
 * at most half a count: 0.05 % at 10 bits, 0.003 % at 14 bits; except that
 * a current up to 51 A never rounds above 85 % (the table's jump to 52.5 A).
 * `frequency` is checked against what an LEDC timer can generate at that
 * resolution (clock / 2^resolution).
 */
export function ampsToCount(amps: number, frequency: number, resolution: number): number {
  checkAmps(amps);
  if (!Number.isInteger(resolution) || resolution < 1 || resolution > 20) {
    throw new RangeError(`PWM resolution ${resolution} bits is not supported`);
  }
  if (!(frequency > 0) || frequency * 2 ** resolution > LEDC_CLOCK_HZ) {
    throw new RangeError(`${frequency} Hz cannot be generated with ${resolution}-bit resolution`);
  }
  const period = 2 ** resolution;
  // Tenths of an amp keep the arithmetic integral for fractional requests too.
  const deciAmps = Math.round(amps * 10);
  let num: number;
  let den: number;
  if (deciAmps <= BREAK_AMPS * 10) {
    num = deciAmps * period; // A/60 of the period == deciAmps/600
    den = 600;
  } else {
    num = (2 * deciAmps + 3200) * period; // (2A + 320)/500 == (2·dA + 3200)/5000
    den = 5000;
  }
  const count = Math.floor((2 * num + den) / (2 * den));
  // Up to 51 A the duty must stay ≤ 85 %: just above it the EV reads the other
  // branch of the table, (d − 64) × 2.5 = 52.5 A (found by the storms: 51 A at
  // 12 bits rounded up to 85.01 %).
  if (deciAmps <= BREAK_AMPS * 10 && count * 100 > 85 * period) return Math.floor((85 * period) / 100);
  return count;
}

/** Duty in percent that a compare count produces. */
export function countToDuty(count: number, resolution: number): number {
  return (count * 100) / 2 ** resolution;
}

// ---------------------------------------------------------------------------
// Classification of the sensed pilot voltage

export type PilotState = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

/**
 * Decision levels in volts. Defaults sit halfway between the nominal J1772
 * levels (12, 9, 6, 3, 0, −12 V), as esp32-evse does, so each nominal band
 * (e.g. B 8.36–9.56 V) is inside its decision band with margin both ways.
 * The diode check follows Hydra: while PWM runs, the negative half must reach
 * below −10 V or the EV's diode is missing or the pilot is shorted.
 */
export interface PilotThresholds {
  /** high ≥ ab → A. */
  ab: number;
  /** high ≥ bc → B. */
  bc: number;
  /** high ≥ cd → C. */
  cd: number;
  /** high ≥ de → D. */
  de: number;
  /** high ≥ ef → E (pilot held near 0 V); below → F (−12 V). */
  ef: number;
  /** With PWM on, low > diode → the diode check fails. */
  diode: number;
}

export const DEFAULT_THRESHOLDS: Readonly<PilotThresholds> = Object.freeze({
  ab: 10.5,
  bc: 7.5,
  cd: 4.5,
  de: 1.5,
  ef: -6,
  diode: -10,
});

export interface PilotClass {
  state: PilotState;
  /** true when PWM runs and the negative half is not pulled to −12 V. */
  diodeFault: boolean;
}

/**
 * Classifies a (high, low) pilot reading. `pwm` says whether the EVSE is
 * driving PWM: only then does the negative half tell anything about the diode.
 */
export function classifyPilot(
  high: number,
  low: number,
  pwm: boolean,
  thresholds: PilotThresholds = DEFAULT_THRESHOLDS,
): PilotClass {
  let state: PilotState;
  if (high >= thresholds.ab) state = 'A';
  else if (high >= thresholds.bc) state = 'B';
  else if (high >= thresholds.cd) state = 'C';
  else if (high >= thresholds.de) state = 'D';
  else if (high >= thresholds.ef) state = 'E';
  else state = 'F';
  // With no EV (A) the negative half is the generator's own −12 V; a short (E)
  // is already a fault of its own.
  const diodeFault = pwm && state !== 'A' && state !== 'E' && state !== 'F' && low > thresholds.diode;
  return { state, diodeFault };
}

/** A–F by index: `PILOT_STATES[pilotCode(…) & PILOT_STATE_MASK]`. */
export const PILOT_STATES: readonly PilotState[] = ['A', 'B', 'C', 'D', 'E', 'F'];
export const PILOT_STATE_MASK = 7;
/** Added to the code when the diode check fails. */
export const PILOT_DIODE_FAULT = 8;

/**
 * classifyPilot as one number, for the control tick (no object per reading):
 * the state's index in PILOT_STATES (A 0 … F 5), plus PILOT_DIODE_FAULT when
 * the diode check fails. test/cases/j1772/pilot.case.ts holds the two to the
 * same answers.
 */
export function pilotCode(high: number, low: number, pwm: boolean, thresholds: PilotThresholds): number {
  let state: number;
  if (high >= thresholds.ab) return 0; // A: with no EV the negative half is the generator's own −12 V
  else if (high >= thresholds.bc) state = 1;
  else if (high >= thresholds.cd) state = 2;
  else if (high >= thresholds.de) state = 3;
  else return high >= thresholds.ef ? 4 : 5; // E and F: a short is a fault of its own, no diode check
  return pwm && low > thresholds.diode ? state + PILOT_DIODE_FAULT : state;
}

/** Throws on thresholds that are not strictly descending. */
export function checkThresholds(t: PilotThresholds): PilotThresholds {
  const order = [t.ab, t.bc, t.cd, t.de, t.ef];
  for (let i = 0; i < order.length; i++) {
    if (!Number.isFinite(order[i])) throw new RangeError('pilot thresholds must be finite numbers');
    if (i > 0 && !(order[i] < order[i - 1])) throw new RangeError('pilot thresholds must descend: ab > bc > cd > de > ef');
  }
  if (!Number.isFinite(t.diode)) throw new RangeError('pilot diode threshold must be a finite number');
  return t;
}
