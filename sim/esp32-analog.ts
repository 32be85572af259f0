// The ESP32 analog input as the Moddable SDK 8.2.3 presents it
// (`embedded:io/analog`, modules/io/analog/esp32/_analog.c), so the board's
// front end can be checked against what the firmware will really read:
//
// * default attenuation 12 dB, calibrated: the ADC's reading is turned into
//   millivolts by ESP-IDF's calibration, then rescaled "back to ADC range" as
//   raw = mV × 4095 / Vmax with Vmax = 2450 mV, clamped at 4095: everything at or
//   above 2450 mV reads full scale;
// * Espressif specifies the 12 dB range as 150–2450 mV; below 150 mV the
//   converter is not linear (it bottoms out near 0 raw), which this model
//   represents as a clamp at 150 mV: a design must keep its signals inside;
// * 12 bits, integer counts (the C code truncates);
// * noise, in counts of the value returned.
//
// Pure and portable (no SDK import): runs in the portable tests on XS and Node.

export type Esp32Attenuation = 0 | 2.5 | 6 | 12;

/** The usable window per attenuation, millivolts, as the SDK's table has it (Vmin, Vmax). */
export const ESP32_ADC_WINDOW: Readonly<Record<Esp32Attenuation, readonly [number, number]>> = Object.freeze({
  0: [100, 950],
  2.5: [100, 1250],
  6: [150, 1750],
  12: [150, 2450],
});

export const ESP32_ADC_BITS = 12;

/**
 * The count `Analog.read()` returns for `volts` at the pin, with `noise`
 * counts added (±1 LSB: −1, 0 or 1).
 */
export function esp32AnalogRead(volts: number, noise = 0, attenuation: Esp32Attenuation = 12): number {
  const [vmin, vmax] = ESP32_ADC_WINDOW[attenuation];
  const top = 2 ** ESP32_ADC_BITS - 1;
  const mv = Math.min(Math.max(volts * 1000, vmin), vmax);
  const raw = Math.floor((mv * top) / vmax) + Math.round(noise);
  return raw < 0 ? 0 : raw > top ? top : raw;
}

/** Volts at the pin for a count, the inverse of esp32AnalogRead inside the window (no noise). */
export function esp32AnalogVolts(count: number, attenuation: Esp32Attenuation = 12): number {
  const vmax = ESP32_ADC_WINDOW[attenuation][1];
  return (count * vmax) / (2 ** ESP32_ADC_BITS - 1) / 1000;
}

export interface SimEsp32AnalogOptions {
  /** Volts at the pin now. */
  input: () => number;
  /** Noise amplitude in counts (each read adds a whole number of counts in ±noise). */
  noise?: number;
  /** Uniform [0, 1): a seeded generator makes a run repeatable. */
  random?: () => number;
  attenuation?: Esp32Attenuation;
}

/** An ESP32 analog pin with the shape of `embedded:io/analog`: `resolution` and `read()`. */
export class SimEsp32Analog {
  readonly resolution = ESP32_ADC_BITS;
  readonly #input: () => number;
  readonly #noise: number;
  readonly #random: () => number;
  readonly #attenuation: Esp32Attenuation;

  constructor(options: SimEsp32AnalogOptions) {
    this.#input = options.input;
    this.#noise = options.noise ?? 0;
    this.#random = options.random ?? Math.random;
    this.#attenuation = options.attenuation ?? 12;
  }

  read(): number {
    const n = this.#noise;
    const noise = n > 0 ? Math.floor(this.#random() * (2 * n + 1)) - n : 0;
    return esp32AnalogRead(this.#input(), noise, this.#attenuation);
  }
}
