// The /status document and the per-field MQTT telemetry, from what the
// monitor knows of the controller plus the gateway's own state. Units follow
// OpenEVSE where clients depend on them (python-openevse-http, evcc, MQTT
// dashboards): `amp` in mA, temperatures in tenths of °C (false when absent),
// `pilot` in A, `voltage` in V, `session_energy` Wh, `total_energy` kWh,
// `wattsec` Ws, `watthour` Wh. docs/api.md lists every field.

import { STATE_CHARGING, type EvseSnapshot } from './evse-snapshot';

/** EVSE states that mean "not offering charge" (OpenEVSE `status: disabled`). */
const STATE_SLEEPING = 254;
const STATE_DISABLED = 255;
/** vflag: EV connected (valid while the pilot is not at −12 V). */
const VFLAG_EV_CONNECTED = 0x0100;
/** ECF flag: service level L2. */
const FLAG_L2 = 0x0001;

export type Json = string | number | boolean | null;

/** Telemetry from the controller: the fields MQTT publishes as `<topic>/<field>`. */
export function evseFields(s: Readonly<EvseSnapshot>, voltage: number): Record<string, Json> {
  // The hottest reading (false without one), in one pass: /status and every telemetry update build these fields.
  const t = s.temps;
  let hottest: number | false = false;
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v !== null) hottest = hottest === false ? v : Math.max(hottest, v);
  }
  const volts = Math.round(voltage * 100) / 100;
  const connected = (s.vflags & VFLAG_EV_CONNECTED) !== 0 || s.state === 2 || s.state === STATE_CHARGING;
  return {
    amp: s.amp,
    amp1: s.amp,
    amp2: 0,
    amp3: 0,
    voltage: volts,
    v1: volts,
    v2: 0,
    v3: 0,
    // W = mA × V / 1000, rounded to whole watts
    power: Math.round((s.amp * voltage) / 1000),
    pilot: s.pilot,
    max_current: s.maxCurrentSoft || s.pilot,
    state: s.state,
    status: s.state === STATE_SLEEPING || s.state === STATE_DISABLED ? 'disabled' : 'active',
    vehicle: connected ? 1 : 0,
    flags: s.vflags,
    service_level: s.flags & FLAG_L2 ? 2 : 1,
    temp: hottest,
    temp1: shown(t, 0),
    temp2: shown(t, 1),
    temp3: shown(t, 2),
    temp4: false,
    elapsed: s.elapsed,
    session_elapsed: s.elapsed,
    wattsec: s.wattsec,
    // Wh, two decimals: a client dividing by 1000 still sees progress within a session
    session_energy: Math.round((s.wattsec / 3600) * 100) / 100,
    watthour: s.whTotal,
    wh: s.whTotal,
    total_energy: s.whTotal / 1000,
    gfcicount: s.gfciCount,
    nogndcount: s.noGroundCount,
    stuckcount: s.stuckCount,
    charge_rate: s.pilot,
  };
}

/** A thermometer's reading as /status shows it: false for none, absent beyond the list (undefined: JSON leaves it out). */
function shown(temps: readonly (number | null)[], i: number): Json {
  if (i >= temps.length) return undefined as unknown as Json;
  const v = temps[i];
  return v === null ? false : v;
}

export interface NetworkInfo {
  /** "STA", "AP", "STA+AP" or "Wired". */
  mode: string;
  wifi_client_connected: 0 | 1;
  eth_connected: 0 | 1;
  ipaddress: string;
  /** dBm. */
  srssi: number;
}

export interface HeapInfo {
  free_heap: number;
  largest_free_block: number;
  min_free_heap: number;
}

/** Minutes east of UTC → "+0100" as strftime("%z"). */
export function utcOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? '-' : '+';
  const m = Math.abs(Math.trunc(minutesEast));
  const hh = Math.floor(m / 60);
  const mm = m % 60;
  return sign + (hh < 10 ? '0' : '') + hh + (mm < 10 ? '0' : '') + mm;
}

/** "2026-03-10T12:34:56Z" (seconds, no fraction). */
export function isoTime(utcMs: number): string {
  return new Date(Math.floor(utcMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Local wall-clock time as strftime("%FT%T%z"): "2026-07-01T13:00:00+0100". */
export function localIsoTime(utcMs: number, minutesEast: number): string {
  return isoTime(utcMs + minutesEast * 60000).slice(0, -1) + utcOffset(minutesEast);
}
