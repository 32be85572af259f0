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

/**
 * Telemetry from the controller: the fields MQTT publishes as `<topic>/<field>`.
 * Written into `into` when given (the status document, built without an object per source), else into a fresh object.
 */
export function evseFields(s: Readonly<EvseSnapshot>, voltage: number, into: Record<string, Json> = {}): Record<string, Json> {
  // The hottest reading (false without one), in one pass: /status and every telemetry update build these fields.
  const t = s.temps;
  const n = t.length;
  let hottest: number | false = false;
  for (let i = 0; i < n; i++) {
    const v = t[i];
    if (v !== null) hottest = hottest === false ? v : Math.max(hottest, v);
  }
  const volts = Math.round(voltage * 100) / 100;
  const state = s.state;
  const amp = s.amp;
  const pilot = s.pilot;
  const wattsec = s.wattsec;
  const wh = s.whTotal;
  const connected = (s.vflags & VFLAG_EV_CONNECTED) !== 0 || state === 2 || state === STATE_CHARGING;
  const f = into;
  f.amp = amp;
  f.amp1 = amp;
  f.amp2 = 0;
  f.amp3 = 0;
  f.voltage = volts;
  f.v1 = volts;
  f.v2 = 0;
  f.v3 = 0;
  // W = mA × V / 1000, rounded to whole watts
  f.power = Math.round((amp * voltage) / 1000);
  f.pilot = pilot;
  f.max_current = s.maxCurrentSoft || pilot;
  f.state = state;
  f.status = state === STATE_SLEEPING || state === STATE_DISABLED ? 'disabled' : 'active';
  f.vehicle = connected ? 1 : 0;
  f.flags = s.vflags;
  f.service_level = s.flags & FLAG_L2 ? 2 : 1;
  f.temp = hottest;
  // A thermometer's reading: false for none; beyond the list absent (undefined: JSON leaves it out).
  f.temp1 = n > 0 ? (t[0] === null ? false : t[0]) : (undefined as unknown as Json);
  f.temp2 = n > 1 ? (t[1] === null ? false : t[1]) : (undefined as unknown as Json);
  f.temp3 = n > 2 ? (t[2] === null ? false : t[2]) : (undefined as unknown as Json);
  f.temp4 = false;
  f.elapsed = s.elapsed;
  f.session_elapsed = s.elapsed;
  f.wattsec = wattsec;
  // Wh, two decimals: a client dividing by 1000 still sees progress within a session
  f.session_energy = Math.round((wattsec / 3600) * 100) / 100;
  f.watthour = wh;
  f.wh = wh;
  f.total_energy = wh / 1000;
  f.gfcicount = s.gfciCount;
  f.nogndcount = s.noGroundCount;
  f.stuckcount = s.stuckCount;
  f.charge_rate = pilot;
  return f;
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
  // Whole seconds: the text always ends in ".000Z".
  return new Date(Math.floor(utcMs / 1000) * 1000).toISOString().slice(0, -5) + 'Z';
}

/** Local wall-clock time as strftime("%FT%T%z"): "2026-07-01T13:00:00+0100". `offset`: utcOffset(minutesEast), when the caller has it already. */
export function localIsoTime(utcMs: number, minutesEast: number, offset = utcOffset(minutesEast)): string {
  return new Date(Math.floor((utcMs + minutesEast * 60000) / 1000) * 1000).toISOString().slice(0, -5) + offset;
}
