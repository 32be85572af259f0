// The station's temperature sensors in OpenEVSE's order (DS3231 RTC die,
// MCP9808 ambient, TMP007 IR), tenths of a degree; null where none is fitted.

import type { TemperatureSensors } from '../modules/ports';

export class SimThermometers implements TemperatureSensors {
  readings: (number | null)[];

  constructor(readings: (number | null)[] = [null, 250, null]) {
    this.readings = readings;
  }

  /** Sets every fitted sensor. */
  set(tenths: number): void {
    this.readings = this.readings.map((r) => (r === null ? null : tenths));
  }

  read(): readonly (number | null)[] {
    return this.readings;
  }
}
