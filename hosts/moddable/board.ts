// The board: which ESP32 pin does what, and how ADC counts become volts,
// amps and degrees. One object per board; `board` below is the default, a
// generic ESP32 DevKit (mcconfig -p esp32/nodemcu) wired as docs/moddable.md
// shows. A different board is another object of the same shape, chosen in
// main.ts by the `board` build config value.
//
// Pure data and pure functions: no SDK import, so the portable tests check
// the scaling.

export interface UartPins {
  /** ESP32 UART number (UART0 is the console). */
  port: number;
  receive: number;
  transmit: number;
  baud: number;
}

export interface PilotSenseCalibration {
  /** ADC counts read with the pilot held at −12 V. */
  rawAtMinus12: number;
  /** ADC counts read with the pilot held at +12 V. */
  rawAtPlus12: number;
}

export interface NtcCalibration {
  /** NTC resistance at 25 °C, ohms. */
  r25: number;
  /** Beta constant, kelvin. */
  beta: number;
  /** Fixed resistor from the ADC pin to the reference (the NTC goes to ground), ohms. */
  series: number;
}

export interface Board {
  name: string;
  /** RAPI link: to the external controller (gateway role) or to the gateway (controller role). */
  rapi: UartPins;
  pilot: {
    /** PWM output driving the ±12 V pilot amplifier: high = +12 V. */
    out: number;
    /** LEDC resolution, bits. */
    resolution: number;
    /** ADC1 input seeing the pilot through the divider (ADC2 is unusable with Wi-Fi on). */
    sense: number;
    /** How long one reading samples, microseconds: at least two 1 kHz periods. */
    windowUs: number;
    calibration: PilotSenseCalibration;
  };
  current: {
    /** ADC1 input from the CT burden, biased at mid-scale. */
    pin: number;
    /** Samples per second (the controller reads 40 ms, two cycles at 50 Hz, per reading). */
    rate: number;
  };
  /** ADC resolution used for all analog inputs, bits (ESP32: 12). */
  adcBits: number;
  relay: { pin: number; activeLow: boolean };
  acSense: {
    line1: number;
    line2: number;
    /** Opto outputs pull low while their line is live. */
    activeLow: boolean;
    /** One mains cycle and a bit: the opto conducts only near the peaks. */
    windowUs: number;
  };
  gfci: { sense: number; test: number };
  button: { pin: number; activeLow: boolean };
  /** NTC thermistors on ADC1 inputs; empty when the board has none. */
  temperature: { pins: number[]; ntc: NtcCalibration };
  /**
   * Controller loop pacing for this board. Pilot and CT readings are busy
   * loops here (2.5 ms and 40 ms), so the loop runs less often than the
   * core's defaults: about 5 % of the CPU for the pilot, 16 % for the
   * ammeter while charging, one current value a second.
   */
  pacing: { tickMs: number; ammeterIntervalMs: number; ammeterBlock: number };
}

/** A generic ESP32 DevKit (ESP32-WROOM-32) with the EVSE front end of docs/moddable.md. */
export const devkit: Board = Object.freeze({
  name: 'esp32-devkit',
  rapi: { port: 2, receive: 16, transmit: 17, baud: 115200 },
  pilot: {
    out: 25,
    resolution: 10,
    sense: 36,
    windowUs: 2500,
    // The divider maps −12 V…+12 V onto 0.3 V…2.7 V of the 3.3 V, 12-bit range
    // (11 dB attenuation); measure both points on each board and put them here.
    calibration: { rawAtMinus12: 372, rawAtPlus12: 3351 },
  },
  current: { pin: 39, rate: 2000 },
  adcBits: 12,
  relay: { pin: 27, activeLow: false },
  acSense: { line1: 32, line2: 33, activeLow: true, windowUs: 25000 },
  gfci: { sense: 35, test: 13 },
  button: { pin: 0, activeLow: true },
  temperature: { pins: [34], ntc: { r25: 10000, beta: 3950, series: 10000 } },
  pacing: { tickMs: 50, ammeterIntervalMs: 250, ammeterBlock: 4 },
}) as Board;

export const boards: Readonly<Record<string, Board>> = Object.freeze({ [devkit.name]: devkit });

/** Pilot volts for an ADC reading, by the straight line through the two calibration points. */
export function pilotVolts(raw: number, c: PilotSenseCalibration): number {
  return -12 + (24 * (raw - c.rawAtMinus12)) / (c.rawAtPlus12 - c.rawAtMinus12);
}

/**
 * Temperature in tenths of a degree Celsius (rounded) from an NTC divider
 * reading, by the beta equation 1/T = 1/T25 + ln(R/R25)/β. Returns null for a
 * reading at either rail: the sensor is open or shorted.
 */
export function ntcTenths(raw: number, bits: number, ntc: NtcCalibration): number | null {
  const full = 2 ** bits;
  if (!(raw > 0) || raw >= full - 1) return null;
  const r = (ntc.series * raw) / (full - raw);
  const kelvin = 1 / (1 / 298.15 + Math.log(r / ntc.r25) / ntc.beta);
  return Math.round((kelvin - 273.15) * 10);
}
