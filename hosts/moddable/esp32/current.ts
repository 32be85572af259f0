// The current transformer on an ESP32 ADC pin, sampled at a fixed rate by a
// paced loop (the ECMA-419 Analog has no DMA mode), re-centred on mid-scale,
// for modules/j1772/ammeter.

import Analog from 'embedded:io/analog';
import type { CurrentSampler } from '../../../modules/ports';
import { micros } from '../clock';
import { centreOnMidScale } from '../ct-bias';

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
    // Elapsed time and a spin cap, so a clock that wraps can never hang the loop.
    const maxSpins = 2000;
    const start = micros();
    for (let i = 0; i < into.length; i++) {
      const due = i * period;
      for (let spins = 0; micros() - start < due && spins < maxSpins; spins++) {
        // wait for the sampling instant
      }
      into[i] = adc.read();
    }
    // The bias divider is not exactly at mid-scale; the ammeter needs it there.
    centreOnMidScale(into, into.length, this.bits);
    return into.length;
  }
}
