// Sensor data that other systems push to the charger (POST /status, MQTT
// input topics): solar production, grid import/export, the household's live
// power, mains voltage, the car's state of charge, the home battery. Each value
// is kept with the time it arrived, so a consumer can tell a fresh reading
// from an old one: a stale input is a fault, not a value (divert and the
// shaper fall back to their safe state by their own timers).
//
// The table is OpenEVSE's (web_server.cpp handleStatusPost, evse_monitor.cpp,
// current_shaper.cpp): what each name means, its unit, the range the firmware
// accepts, and how long it stays fresh there.

import type { Clock } from '../ports';

export interface InputSpec {
  /** Name in POST /status and in /status. */
  name: string;
  unit: string;
  min: number;
  max: number;
  /** Whole numbers only (the firmware stores an int). */
  integer?: boolean;
  /**
   * How long a reading counts as fresh, ms; undefined: until replaced (the
   * firmware keeps it forever). A consumer may ask for a shorter age.
   */
  maxAge?: number;
  /** Accepted only when `vehicle_data_src` is 3 (HTTP), as the firmware does. */
  vehicle?: boolean;
}

/** OpenEVSE's voltage bounds (emonesp.h VOLTAGE_MINIMUM/MAXIMUM) and timeout (EVSE_MONITOR_MQTT_VOLTAGE_TIMEOUT_MS). */
export const VOLTAGE_MIN = 60;
export const VOLTAGE_MAX = 300;
export const VOLTAGE_MAX_AGE = 120000;
/** current_shaper_data_maxinterval default, s → ms. */
export const LIVE_POWER_MAX_AGE = 120000;

const W = 1e7; // watts: far beyond any house, still a plain number

export const INPUTS: readonly InputSpec[] = [
  { name: 'voltage', unit: 'V', min: VOLTAGE_MIN, max: VOLTAGE_MAX, maxAge: VOLTAGE_MAX_AGE },
  { name: 'solar', unit: 'W', min: 0, max: W, integer: true },
  { name: 'grid_ie', unit: 'W (+ import, − export)', min: -W, max: W, integer: true },
  { name: 'shaper_live_pwr', unit: 'W', min: -W, max: W, integer: true, maxAge: LIVE_POWER_MAX_AGE },
  { name: 'battery_level', unit: '%', min: 0, max: 100, integer: true, vehicle: true },
  { name: 'battery_range', unit: 'km (or mi)', min: 0, max: 10000, vehicle: true },
  { name: 'time_to_full_charge', unit: 's', min: 0, max: 7 * 86400, integer: true, vehicle: true },
  { name: 'vehicle_charge_limit', unit: '%', min: 0, max: 100, integer: true, vehicle: true },
  { name: 'home_battery_soc', unit: '%', min: 0, max: 100, integer: true },
  { name: 'home_battery_power', unit: 'W (+ charging, − discharging)', min: -W, max: W, integer: true },
];

export function inputSpec(name: string): InputSpec | undefined {
  for (const s of INPUTS) if (s.name === name) return s;
  return undefined;
}

/** A value as received, or the reason it is refused. */
export function checkInput(spec: InputSpec, value: unknown): { ok: true; value: number } | { ok: false; error: string } {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, error: `${spec.name} must be a number (${spec.unit})` };
  const v = spec.integer ? Math.round(value) : value;
  if (v < spec.min || v > spec.max) return { ok: false, error: `${spec.name} must be ${spec.min}…${spec.max} ${spec.unit}` };
  return { ok: true, value: v };
}

export interface Reading {
  value: number;
  /** Clock time it arrived, ms. */
  at: number;
  /** Where from: "http", "mqtt". */
  source: string;
}

export class Inputs {
  readonly #clock: Clock;
  readonly #readings: Record<string, Reading> = {};
  readonly #maxAge: Record<string, number | undefined> = {};
  readonly #listeners: ((name: string, reading: Reading) => void)[] = [];
  #count = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
    for (const s of INPUTS) this.#maxAge[s.name] = s.maxAge;
  }

  /** How many names have had a reading (a reading is replaced, never taken back, so this only grows). */
  get count(): number {
    return this.#count;
  }

  /** Stores a checked value; listeners hear of it at once. */
  set(name: string, value: number, source = 'http'): void {
    const r: Reading = { value, at: this.#clock.now(), source };
    if (this.#readings[name] === undefined) this.#count++;
    this.#readings[name] = r;
    for (const l of this.#listeners.slice()) l(name, r);
  }

  /** The value while fresh, else undefined. */
  get(name: string): number | undefined {
    const r = this.#readings[name];
    if (!r) return undefined;
    const max = this.#maxAge[name];
    return max === undefined || this.#clock.now() - r.at <= max ? r.value : undefined;
  }

  /** The last reading, fresh or not. */
  reading(name: string): Reading | undefined {
    return this.#readings[name];
  }

  /** Seconds since the last reading; undefined if there never was one. */
  age(name: string): number | undefined {
    const r = this.#readings[name];
    return r ? Math.floor((this.#clock.now() - r.at) / 1000) : undefined;
  }

  /** A consumer's own freshness window for `name`, ms (undefined: never stale). */
  setMaxAge(name: string, ms: number | undefined): void {
    this.#maxAge[name] = ms;
  }

  /** Hears every reading as it arrives. Returns the unsubscribe. */
  onInput(listener: (name: string, reading: Reading) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }
}
