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

/**
 * The pilot-sense divider: the pilot through `series` into the ADC node, the
 * node pulled to `rail` through `bias` and to ground through `ground`. It maps
 * the ±12 V pilot into the ESP32 ADC's 12 dB window (150–2450 mV), affinely.
 */
export interface PilotSenseDivider {
  /** Pilot to the ADC node, ohms. */
  series: number;
  /** ADC node to the 3.3 V rail, ohms. */
  bias: number;
  /** ADC node to ground, ohms. */
  ground: number;
  /** Rail volts. */
  rail: number;
}

/**
 * The CT input: a current transformer of `ratio` turns into `burden` ohms,
 * AC-coupled onto a bias divider (`top` to the rail, `bottom` to ground) that
 * centres the signal in the ADC window.
 */
export interface CurrentSenseCircuit {
  /** Secondary turns per primary turn (an SCT-013-000: 100 A → 50 mA, 2000). */
  ratio: number;
  burden: number;
  biasTop: number;
  biasBottom: number;
  rail: number;
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
  /** Fixed resistor from the ADC pin to the rail (the NTC goes to ground), ohms. */
  series: number;
  /** Rail volts. */
  rail: number;
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
    divider: PilotSenseDivider;
    calibration: PilotSenseCalibration;
  };
  current: {
    /** ADC1 input from the CT burden, biased inside the ADC window. */
    pin: number;
    circuit: CurrentSenseCircuit;
    /** Samples per second (the controller reads 40 ms, two cycles at 50 Hz, per reading). */
    rate: number;
  };
  /** ADC resolution used for all analog inputs, bits (ESP32: 12). */
  adcBits: number;
  /**
   * Volts that read full scale. The SDK's ESP32 Analog (12 dB, calibrated)
   * rescales its calibrated millivolts to counts of 2450 mV and reads nothing
   * useful below 150 mV (sim/esp32-analog.ts).
   */
  adcFullScale: number;
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
    // 100 kΩ from the pilot, 18 kΩ to 3.3 V, 13.3 kΩ to ground: −12 V → 0.450 V,
    // +12 V → 2.155 V, inside the 12 dB window (150–2450 mV) with about 300 mV
    // to spare each side, 179 mV at the worst ±5 % corner (docs/moddable.md).
    divider: { series: 100_000, bias: 18_000, ground: 13_300, rail: 3.3 },
    // What the SDK's Analog reads at −12 V and +12 V with the nominal divider
    // (sim/esp32-analog.ts). With 1 % resistors these are good enough; with
    // 5 % ones measure both points on each board and put them here.
    calibration: { rawAtMinus12: 752, rawAtPlus12: 3602 },
  },
  current: {
    pin: 39,
    rate: 2000,
    // 22 Ω burden on a 2000:1 CT: 11 mV RMS per amp, about 220 mA per 10-bit count
    // as OpenEVSE's default $SA scale; bias 16.9 kΩ/10 kΩ from 3.3 V = 1.227 V.
    // Clean up to about 60 A; 48 A peaks stay 480 mV inside the window.
    circuit: { ratio: 2000, burden: 22, biasTop: 16_900, biasBottom: 10_000, rail: 3.3 },
  },
  adcBits: 12,
  adcFullScale: 2.45,
  relay: { pin: 27, activeLow: false },
  acSense: { line1: 32, line2: 33, activeLow: true, windowUs: 25000 },
  gfci: { sense: 35, test: 13 },
  button: { pin: 0, activeLow: true },
  // 22 kΩ to 3.3 V keeps −10 °C (2.36 V) to 85 °C (0.16 V) inside the ADC window.
  temperature: { pins: [34], ntc: { r25: 10000, beta: 3950, series: 22000, rail: 3.3 } },
  pacing: { tickMs: 50, ammeterIntervalMs: 250, ammeterBlock: 4 },
}) as Board;

export const boards: Readonly<Record<string, Board>> = Object.freeze({ [devkit.name]: devkit });

/** Volts at the ADC node for a pilot voltage (superposition of the three branches). */
export function pilotSenseVolts(pilot: number, d: PilotSenseDivider): number {
  const g = 1 / d.series + 1 / d.bias + 1 / d.ground;
  return (pilot / d.series + d.rail / d.bias) / g;
}

/** Volts at the ADC pin for an instantaneous primary current (amps) through the CT. */
export function currentSenseVolts(amps: number, c: CurrentSenseCircuit): number {
  return (c.rail * c.biasBottom) / (c.biasTop + c.biasBottom) + (amps / c.ratio) * c.burden;
}

/** Pilot volts for an ADC reading, by the straight line through the two calibration points. */
export function pilotVolts(raw: number, c: PilotSenseCalibration): number {
  return -12 + (24 * (raw - c.rawAtMinus12)) / (c.rawAtPlus12 - c.rawAtMinus12);
}

/**
 * Temperature in tenths of a degree Celsius (rounded) from an NTC divider
 * reading, by the beta equation 1/T = 1/T25 + ln(R/R25)/β. `raw` is a count of
 * `bits` over `fullScale` volts. Returns null for a reading at either end of the
 * ADC window (below 0.15 V or at full scale): the sensor is shorted, open, or
 * out of the range the divider can read.
 */
export function ntcTenths(raw: number, bits: number, fullScale: number, ntc: NtcCalibration): number | null {
  const top = 2 ** bits - 1;
  const volts = (raw * fullScale) / top;
  if (!(volts > 0.15) || raw >= top || volts >= ntc.rail) return null;
  const r = (ntc.series * volts) / (ntc.rail - volts);
  const kelvin = 1 / (1 / 298.15 + Math.log(r / ntc.r25) / ntc.beta);
  return Math.round((kelvin - 273.15) * 10);
}
