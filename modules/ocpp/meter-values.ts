// MeterValues content and timing (OCPP 1.6 §4.7, §9.1): the sampled values of
// the configured measurands, with OCPP's units, and the clock-aligned instants
// (ClockAlignedDataInterval counts from midnight UTC).

import type { Measurand } from './configuration';
import type { ChargerReading } from './connector-status';

export type ReadingContext = 'Sample.Periodic' | 'Sample.Clock' | 'Transaction.Begin' | 'Transaction.End' | 'Trigger';

export interface SampledValue {
  value: string;
  context: ReadingContext;
  measurand: Measurand;
  unit: string;
  location?: 'Outlet' | 'Body';
}

const DAY = 86400000;

/** Measurand → how to read it and its unit. */
const READ: Readonly<Record<Measurand, { unit: string; value: (r: ChargerReading) => number | undefined; location?: 'Outlet' | 'Body' }>> = {
  'Energy.Active.Import.Register': { unit: 'Wh', value: (r) => Math.round(r.energyWh) },
  'Power.Active.Import': { unit: 'W', value: (r) => Math.round(r.powerW) },
  'Current.Import': { unit: 'A', value: (r) => Math.round(r.currentA * 10) / 10, location: 'Outlet' },
  'Current.Offered': { unit: 'A', value: (r) => r.offeredA, location: 'Outlet' },
  Voltage: { unit: 'V', value: (r) => Math.round(r.voltageV) },
  Temperature: { unit: 'Celsius', value: (r) => (r.temperatureC === undefined ? undefined : Math.round(r.temperatureC * 10) / 10), location: 'Body' },
};

export function sampledValues(reading: ChargerReading, measurands: readonly string[], context: ReadingContext): SampledValue[] {
  const out: SampledValue[] = [];
  for (const m of measurands) {
    const spec = READ[m as Measurand];
    const v = spec?.value(reading);
    if (v === undefined || !Number.isFinite(v)) continue;
    const sv: SampledValue = { value: String(v), context, measurand: m as Measurand, unit: spec.unit };
    if (spec.location) sv.location = spec.location;
    out.push(sv);
  }
  return out;
}

/** The next clock-aligned instant after `wall` (UTC ms) for an interval of `seconds`. */
export function nextAligned(wall: number, seconds: number): number {
  const midnight = Math.floor(wall / DAY) * DAY;
  const step = seconds * 1000;
  const t = midnight + (Math.floor((wall - midnight) / step) + 1) * step;
  return Math.min(t, midnight + DAY);
}
