// What the controller keeps across power cycles (OpenEVSE's EEPROM map), as
// one JSON record under one key, so a power loss leaves the old or the new
// record and never half of each (Storage writes a key atomically).

import type { Storage } from '../ports';
import { MAX_TRIPS, type TripCounter } from './faults';

export interface ControllerSettings {
  /** Configured current for service level 1 and 2, amps. */
  l1Amps: number;
  l2Amps: number;
  /** Feature flags ($GE), see evse-state.ts `Feature`. */
  flags: number;
  /** Ammeter calibration ($SA). */
  scale: number;
  offset: number;
  /** Lifetime energy, Ws (reported in Wh). */
  totalWs: number;
  gfciTrips: number;
  noGroundTrips: number;
  stuckRelayTrips: number;
  /** Heartbeat supervision ($SY): seconds (0 = off) and fallback amps. */
  heartbeatInterval: number;
  heartbeatAmps: number;
  /** Delay timer ($ST) start h, start m, stop h, stop m; all 0 = off. */
  timer: [number, number, number, number];
  /** Hardware maximum set once by `$SC n M`; 0 = not set. */
  hardwareAmps: number;
}

export const SETTINGS_KEY = 'controller';

export function defaultSettings(): ControllerSettings {
  return {
    l1Amps: 12,
    l2Amps: 32,
    flags: 0,
    scale: 220,
    offset: 0,
    totalWs: 0,
    gfciTrips: 0,
    noGroundTrips: 0,
    stuckRelayTrips: 0,
    heartbeatInterval: 0,
    heartbeatAmps: 0,
    timer: [0, 0, 0, 0],
    hardwareAmps: 0,
  };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Reads the record; any missing or malformed field takes its default. */
export function loadSettings(storage: Storage | undefined): ControllerSettings {
  const s = defaultSettings();
  const text = storage?.read(SETTINGS_KEY);
  if (text === undefined) return s;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return s;
  }
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(s) as (keyof ControllerSettings)[]) {
    const v = r[key];
    if (key === 'timer') {
      if (Array.isArray(v) && v.length === 4 && v.every(isCount)) s.timer = v as ControllerSettings['timer'];
    } else if (isCount(v)) {
      (s[key] as number) = v;
    }
  }
  return s;
}

export function saveSettings(storage: Storage | undefined, s: ControllerSettings): void {
  storage?.write(SETTINGS_KEY, JSON.stringify(s));
}

/**
 * The record in force and where it is kept: the controller and the modules
 * next to it change `values` and call `save()`, so the one record is written
 * whole each time.
 */
export class SettingsStore {
  readonly values: ControllerSettings;
  readonly #storage: Storage | undefined;

  constructor(storage?: Storage) {
    this.#storage = storage;
    this.values = loadSettings(storage);
  }

  save(): void {
    saveSettings(this.#storage, this.values);
  }

  /** One more trip on a `$GF` counter, saturating like OpenEVSE's one-byte cells (saved with the next `save()`). */
  count(counter: TripCounter): void {
    this.values[counter] = Math.min(MAX_TRIPS, this.values[counter] + 1);
  }
}
