// The current transformer on an ESP32 ADC pin, sampled at a fixed rate by a
// paced loop (the ECMA-419 Analog has no DMA mode), for modules/j1772/ammeter.

import Analog from 'embedded:io/analog';
import type { CurrentSampler } from '../../../modules/ports';
import { micros } from '../clock';

export interface AdcCurrentSamplerOptions {
  pin: number;
  /** Samples per second. */
  rate: number;
}

export class AdcCurrentSampler implements CurrentSampler {
  readonly rate: number;
  readonly bits: number;
  readonly #adc: Analog;

  constructor(options: AdcCurrentSamplerOptions) {
    this.#adc = new Analog({ pin: options.pin });
    this.bits = this.#adc.resolution;
    this.rate = options.rate;
  }

  sample(into: Uint16Array): number {
    const adc = this.#adc;
    const period = 1_000_000 / this.rate;
    let due = micros();
    for (let i = 0; i < into.length; i++) {
      while (micros() < due) {
        // wait for the sampling instant
      }
      into[i] = adc.read();
      due += period;
    }
    return into.length;
  }
}
