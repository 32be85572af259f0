// Replays a recorded day through the real divert and shaper code, the claims
// arbiter and the gateway's pilot rule (charge-target.ts), with the simulated
// EV (sim/ev.ts) plugged in and always wanting charge, on the virtual clock.
// One tick per input reading; `npm run energy-sim` is the command-line face.
//
// Energy is integrated as OpenEVSE's divert_sim summary does (each reading's
// power times the interval since the previous reading), so the two can be
// compared day for day. Time over the shaper's limit counts the EV power that
// was in force during each interval (decided at the previous reading) against
// the load recorded at its end: the shaper's reaction lag is not hidden.

import { Claims, type EvseProperties } from '../gateway/claims';
import { targetCurrent } from '../gateway/charge-target';
import type { EvseSnapshot } from '../gateway/evse-snapshot';
import { ampsToDuty } from '../j1772/pilot';
import { VirtualClock } from '../../sim/clock';
import { SimEv, type Generator } from '../../sim/ev';
import { Divert, DIVERT_DEFAULTS, DivertMode, DivertType, type DivertClaim, type DivertSettings } from './divert';
import type { Sample } from './series';
import { Shaper, SHAPER_DEFAULTS, SHAPER_LOOP_MS, type ShaperClaim, type ShaperSettings } from './shaper';

/** What the series holds: solar generation, the grid meter (+import/−export, without our EV), or the house load (without our EV). */
export type InputKind = 'solar' | 'grid_ie' | 'load';

export interface ReplayOptions {
  kind: InputKind;
  samples: readonly Sample[];
  /** V when the series has none (240). */
  voltage?: number;
  divert?: Partial<DivertSettings> & { enabled?: boolean };
  shaper?: Partial<ShaperSettings> & { enabled?: boolean };
  /** A: the controller's minimum and maximum pilot (6, 32) and the EV's on-board charger limit (32). */
  minCurrent?: number;
  maxCurrent?: number;
  evMaxCurrent?: number;
}

export type EvState = 'charging' | 'sleeping' | 'connected';

export interface Tick {
  t: number;
  /** W, the reading. */
  input: number;
  /** A, divert's smoothed available current (0 when divert is off). */
  smoothed: number;
  /** A offered on the pilot (0 while paused). */
  pilot: number;
  /** W the EV draws. */
  evPower: number;
  state: EvState;
  /** A, the shaper's cap (undefined when it is off). */
  shaperCap?: number;
}

export interface Summary {
  evKwh: number;
  /** Solar generation (solar series) or export before the EV (grid series), kWh. */
  surplusKwh: number;
  fromSolarKwh: number;
  fromGridKwh: number;
  starts: number;
  chargingHours: number;
  /** Charge sessions' lengths, s (first to last reading in state charging). */
  sessions: number[];
  secondsAboveLimit: number;
}

const CLIENT_DIVERT = 0x00010002;
const CLIENT_SHAPER = 0x0001000c;

export function replay(options: ReplayOptions, onTick?: (tick: Tick) => void): Summary {
  const samples = options.samples;
  const defaultVolts = options.voltage ?? 240;
  const minCurrent = options.minCurrent ?? 6;
  const maxCurrent = options.maxCurrent ?? 32;
  const clock = new VirtualClock({ start: 0, wall: samples[0].t });
  const t0 = samples[0].t;
  const claims = new Claims();
  const ev = new SimEv({ maxCurrent: options.evMaxCurrent ?? 32 });
  ev.plug();
  const snapshot = { minCurrent, maxCurrentHard: maxCurrent, maxCurrentSoft: maxCurrent } as EvseSnapshot;
  let volts = defaultVolts;
  let generator: Generator = { mode: 'high' };
  let amps = 0;
  let pilot = 0;

  const divertSettings: DivertSettings = {
    ...DIVERT_DEFAULTS,
    type: options.kind === 'grid_ie' ? DivertType.Grid : DivertType.Solar,
    ...options.divert,
  };
  const shaperSettings: ShaperSettings = { ...SHAPER_DEFAULTS, ...options.shaper };
  const divertOn = options.divert?.enabled ?? options.kind !== 'load';
  const shaperOn = options.shaper?.enabled ?? options.kind === 'load';

  const evse = { voltage: () => volts, amps: () => amps, minCurrent: () => minCurrent };
  const apply = (): void => {
    const want: EvseProperties = claims.target().properties;
    if (want.state === 'disabled') {
      generator = { mode: 'high' };
      pilot = 0;
    } else {
      pilot = targetCurrent(want, snapshot) ?? maxCurrent;
      generator = { mode: 'pwm', duty: ampsToDuty(pilot) };
    }
    amps = ev.draw(generator);
    divert.evseChanged();
  };
  const file = (client: number, claim: DivertClaim | ShaperClaim): void => {
    if (claim) claims.claim(client, claim.priority, claim.properties);
    else claims.release(client);
    apply();
  };
  const divert = new Divert({
    now: () => clock.now(),
    settings: () => divertSettings,
    evse: { ...evse, charging: () => amps > 0 },
    onClaim: (c) => file(CLIENT_DIVERT, c),
  });
  const shaper = new Shaper({
    now: () => clock.now(),
    settings: () => shaperSettings,
    evse: { ...evse, solarBonus: () => (divertOn && options.kind === 'solar' ? divert.solarWatts : 0) },
    onClaim: (c) => file(CLIENT_SHAPER, c),
  });
  clock.repeat(() => divert.check(), 1000);
  clock.repeat(() => shaper.evaluate(), SHAPER_LOOP_MS);
  apply();
  if (divertOn) divert.setMode(DivertMode.Eco);
  if (shaperOn) shaper.setEnabled(true);

  const sum: Summary = { evKwh: 0, surplusKwh: 0, fromSolarKwh: 0, fromGridKwh: 0, starts: 0, chargingHours: 0, sessions: [], secondsAboveLimit: 0 };
  let evWh = 0;
  let surplusWh = 0;
  let gridWh = 0;
  let prevT = t0;
  let prevEvPower = 0;
  let charging = false;
  let sessionStart = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    clock.advance(s.t - t0 - clock.now());
    volts = s.volts ?? defaultVolts;
    const before = amps * volts;
    if (options.kind === 'solar') divert.solar(s.value);
    else if (options.kind === 'grid_ie') divert.gridIe(s.value + before);
    else shaper.livePowerIn(s.value + before);
    const evPower = amps * volts;
    const state: EvState = amps > 0 ? 'charging' : pilot > 0 ? 'connected' : 'sleeping';
    onTick?.({ t: s.t, input: s.value, smoothed: divertOn ? divert.smoothed : 0, pilot, evPower, state, shaperCap: shaperOn ? shaper.maxCurrent : undefined });
    if (i > 0) {
      const h = (s.t - prevT) / 3600000;
      evWh += evPower * h;
      if (options.kind === 'solar') {
        surplusWh += s.value * h;
        gridWh += Math.max(0, evPower - s.value) * h;
      } else if (options.kind === 'grid_ie') {
        surplusWh += Math.max(0, -s.value) * h;
        gridWh += Math.max(0, Math.min(evPower, s.value + evPower)) * h;
      } else {
        gridWh += evPower * h;
        if (shaperSettings.maxPower > 0 && s.value + prevEvPower > shaperSettings.maxPower) sum.secondsAboveLimit += (s.t - prevT) / 1000;
      }
    }
    if (state === 'charging' && !charging) {
      sum.starts++;
      sessionStart = s.t;
    } else if (state !== 'charging' && charging) sum.sessions.push((s.t - sessionStart) / 1000);
    charging = state === 'charging';
    prevT = s.t;
    prevEvPower = evPower;
  }
  if (charging) sum.sessions.push((prevT - sessionStart) / 1000);
  sum.evKwh = evWh / 1000;
  sum.surplusKwh = surplusWh / 1000;
  sum.fromGridKwh = gridWh / 1000;
  sum.fromSolarKwh = options.kind === 'load' ? 0 : (evWh - gridWh) / 1000;
  sum.chargingHours = sum.sessions.reduce((a, b) => a + b, 0) / 3600;
  return sum;
}

/** The summary as one line: key=value pairs, kWh to 2 decimals. */
export function summaryLine(s: Summary): string {
  const k = (x: number) => x.toFixed(2);
  return `ev_kwh=${k(s.evKwh)} surplus_kwh=${k(s.surplusKwh)} from_solar_kwh=${k(s.fromSolarKwh)} from_grid_kwh=${k(s.fromGridKwh)} charge_starts=${s.starts} charging_h=${k(s.chargingHours)} above_limit_s=${Math.round(s.secondsAboveLimit)}`;
}

export const TICK_HEADER = 'time,input_w,smoothed_available_a,pilot_a,ev_power_w,state,shaper_cap_a';

export function tickLine(t: Tick): string {
  return `${new Date(t.t).toISOString()},${t.input},${t.smoothed.toFixed(3)},${t.pilot},${Math.round(t.evPower)},${t.state},${t.shaperCap === undefined ? '' : t.shaperCap.toFixed(2)}`;
}
