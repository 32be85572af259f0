// The /config keys of divert and the shaper, with OpenEVSE's defaults
// (app_config.cpp, reference/openevse.md §3.4), and how they become the
// settings the algorithms take. `divert_data_maxinterval` is ours: OpenEVSE
// has no stale-input limit for divert.

import { DivertType, type DivertSettings } from './divert';
import type { ShaperSettings } from './shaper';

export type EnergyKeySpec =
  | { type: 'boolean'; default: boolean }
  | { type: 'number'; min: number; max: number; default: number }
  | { type: 'integer'; min: number; max: number; default: number }
  | { type: 'string'; max: number; default: string };

export const DIVERT_KEYS = {
  divert_enabled: { type: 'boolean', default: false },
  divert_type: { type: 'integer', min: -1, max: 1, default: -1 },
  divert_PV_ratio: { type: 'number', min: 0, max: 10, default: 1.1 },
  divert_attack_smoothing_time: { type: 'integer', min: 0, max: 86400, default: 20 },
  divert_decay_smoothing_time: { type: 'integer', min: 0, max: 86400, default: 600 },
  divert_min_charge_time: { type: 'integer', min: 0, max: 86400, default: 600 },
  divert_data_maxinterval: { type: 'integer', min: 10, max: 86400, default: 120 },
  mqtt_solar: { type: 'string', max: 128, default: '' },
  mqtt_grid_ie: { type: 'string', max: 128, default: '' },
} as const satisfies Record<string, EnergyKeySpec>;

export const SHAPER_KEYS = {
  current_shaper_enabled: { type: 'boolean', default: false },
  current_shaper_max_pwr: { type: 'integer', min: 0, max: 1000000, default: 0 },
  current_shaper_smoothing_time: { type: 'integer', min: 0, max: 86400, default: 60 },
  current_shaper_min_pause_time: { type: 'integer', min: 0, max: 86400, default: 300 },
  current_shaper_data_maxinterval: { type: 'integer', min: 1, max: 86400, default: 120 },
  mqtt_live_pwr: { type: 'string', max: 128, default: '' },
  is_threephase: { type: 'boolean', default: false },
} as const satisfies Record<string, EnergyKeySpec>;

/** The divert settings a gateway feature declares (mqtt_solar and mqtt_grid_ie belong to the data inputs). */
export const DIVERT_CONFIG = {
  divert_enabled: DIVERT_KEYS.divert_enabled,
  divert_type: DIVERT_KEYS.divert_type,
  divert_PV_ratio: DIVERT_KEYS.divert_PV_ratio,
  divert_attack_smoothing_time: DIVERT_KEYS.divert_attack_smoothing_time,
  divert_decay_smoothing_time: DIVERT_KEYS.divert_decay_smoothing_time,
  divert_min_charge_time: DIVERT_KEYS.divert_min_charge_time,
  divert_data_maxinterval: DIVERT_KEYS.divert_data_maxinterval,
  /** OpenEVSE's virtual setting: "eco" is divert_enabled. */
  charge_mode: { type: 'enum', values: ['fast', 'eco'], default: 'fast' },
} as const;

/** The shaper settings a gateway feature declares (mqtt_live_pwr belongs to the data inputs). */
export const SHAPER_CONFIG = {
  current_shaper_enabled: SHAPER_KEYS.current_shaper_enabled,
  current_shaper_max_pwr: SHAPER_KEYS.current_shaper_max_pwr,
  current_shaper_smoothing_time: SHAPER_KEYS.current_shaper_smoothing_time,
  current_shaper_min_pause_time: SHAPER_KEYS.current_shaper_min_pause_time,
  current_shaper_data_maxinterval: SHAPER_KEYS.current_shaper_data_maxinterval,
  is_threephase: SHAPER_KEYS.is_threephase,
} as const;

type Get = (key: string) => unknown;

function num(get: Get, key: string, fallback: number): number {
  const v = get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function divertSettings(get: Get): DivertSettings {
  const k = DIVERT_KEYS;
  return {
    type: num(get, 'divert_type', k.divert_type.default) === DivertType.Grid ? DivertType.Grid : DivertType.Solar,
    pvRatio: num(get, 'divert_PV_ratio', k.divert_PV_ratio.default),
    attackS: num(get, 'divert_attack_smoothing_time', k.divert_attack_smoothing_time.default),
    decayS: num(get, 'divert_decay_smoothing_time', k.divert_decay_smoothing_time.default),
    minChargeS: num(get, 'divert_min_charge_time', k.divert_min_charge_time.default),
    maxIntervalS: num(get, 'divert_data_maxinterval', k.divert_data_maxinterval.default),
    threePhase: get('is_threephase') === true,
  };
}

export function shaperSettings(get: Get): ShaperSettings {
  const k = SHAPER_KEYS;
  return {
    maxPower: num(get, 'current_shaper_max_pwr', k.current_shaper_max_pwr.default),
    smoothingS: num(get, 'current_shaper_smoothing_time', k.current_shaper_smoothing_time.default),
    minPauseS: num(get, 'current_shaper_min_pause_time', k.current_shaper_min_pause_time.default),
    maxIntervalS: num(get, 'current_shaper_data_maxinterval', k.current_shaper_data_maxinterval.default),
    threePhase: get('is_threephase') === true,
  };
}
