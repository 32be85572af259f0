// The control pilot on ESP32 pins: a 1 kHz LEDC PWM (or a steady level)
// driving the ±12 V amplifier, and the ADC reading the pilot back through the
// divider.

import Analog from 'embedded:io/analog';
import Digital from 'embedded:io/digital';
import PWM from 'embedded:io/pwm';
import type { PilotOutput, PilotReading, PilotSampler } from '../../../modules/ports';
import type { Esp32PwmClass, Esp32PwmInstance } from '../../../types/moddable/sdk';
import { pilotVolts, type PilotSenseCalibration } from '../board';
import { micros } from '../clock';

// The ESP32 PWM takes `resolution`, which the typing lacks.
const LedcPwm = PWM as unknown as Esp32PwmClass;

export interface PwmPilotOptions {
  pin: number;
  resolution: number;
  /** J1772: 1000 Hz. */
  hz?: number;
}

/**
 * PWM while a current is offered, a plain GPIO level otherwise: a steady
 * level must have no edges at all, which 0 % and 100 % LEDC duty do not
 * guarantee on every chip.
 */
export class PwmPilot implements PilotOutput {
  readonly resolution: number;
  readonly frequency: number;
  readonly #pin: number;
  #pwm?: Esp32PwmInstance;
  #level?: Digital;
  #steady: 0 | 1 | -1 = -1;

  constructor(options: PwmPilotOptions) {
    this.#pin = options.pin;
    this.resolution = options.resolution;
    this.frequency = options.hz ?? 1000;
    this.low();
  }

  high(): void {
    this.#hold(1);
  }

  low(): void {
    this.#hold(0);
  }

  pwm(count: number): void {
    const period = 2 ** this.resolution;
    if (count <= 0) return this.low();
    if (count >= period) return this.high();
    if (!this.#pwm) {
      this.#level?.close();
      this.#level = undefined;
      this.#steady = -1;
      this.#pwm = new LedcPwm({ pin: this.#pin, hz: this.frequency, resolution: this.resolution });
    }
    this.#pwm.write(count);
  }

  #hold(value: 0 | 1): void {
    if (this.#steady === value) return;
    this.#pwm?.close();
    this.#pwm = undefined;
    this.#level ??= new Digital({ pin: this.#pin, mode: Digital.Output });
    this.#level.write(value);
    this.#steady = value;
  }
}

export interface AdcPilotSamplerOptions {
  pin: number;
  calibration: PilotSenseCalibration;
  /** Sampling window, microseconds (≥ 2 PWM periods). */
  windowUs: number;
  /** Upper bound on ADC reads per window, whatever the clock says. */
  maxSamples?: number;
}

/** Most positive and most negative pilot voltage over one window of back-to-back ADC reads. */
export class AdcPilotSampler implements PilotSampler {
  readonly #adc: Analog;
  readonly #calibration: PilotSenseCalibration;
  readonly #windowUs: number;
  readonly #maxSamples: number;

  constructor(options: AdcPilotSamplerOptions) {
    this.#adc = new Analog({ pin: options.pin });
    this.#calibration = options.calibration;
    this.#windowUs = options.windowUs;
    this.#maxSamples = options.maxSamples ?? 1000;
  }

  read(): PilotReading {
    const adc = this.#adc;
    let lo = Infinity;
    let hi = -Infinity;
    const start = micros();
    for (let n = 0; n < this.#maxSamples; n++) {
      const raw = adc.read();
      if (raw < lo) lo = raw;
      if (raw > hi) hi = raw;
      if (micros() - start >= this.#windowUs) break;
    }
    return { high: pilotVolts(hi, this.#calibration), low: pilotVolts(lo, this.#calibration) };
  }
}
