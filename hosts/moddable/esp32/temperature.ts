// NTC thermistors on ESP32 ADC pins, in tenths of a degree Celsius.

import Analog from 'embedded:io/analog';
import type { TemperatureSensors } from '../../../modules/ports';
import { ntcTenths, type NtcCalibration } from '../board';

export class NtcSensors implements TemperatureSensors {
  readonly #adcs: Analog[];
  readonly #ntc: NtcCalibration;
  readonly #fullScale: number;

  constructor(options: { pins: readonly number[]; ntc: NtcCalibration; fullScale: number }) {
    this.#adcs = options.pins.map((pin) => new Analog({ pin }));
    this.#ntc = options.ntc;
    this.#fullScale = options.fullScale;
  }

  read(): readonly (number | null)[] {
    return this.#adcs.map((adc) => ntcTenths(adc.read(), adc.resolution, this.#fullScale, this.#ntc));
  }
}
