// The measured figure for each row of docs/safety.md: each scenario runs on
// the simulated station and virtual clock with its trigger at every phase of
// the 10 ms control tick (offsets 0–9 ms), and the figure is the min–max of
// what the hardware models show (contactor, pilot wire, sensor). Portable:
// `npm run safety-figures` runs it on Node and writes the table.

import { DEBOUNCE_DOWN_MS, worstPowerOffMs } from '../../modules/j1772/debounce';
import { EvseState } from '../../modules/j1772/evse-state';
import { SettingsStore } from '../../modules/j1772/settings';
import { Ammeter } from '../../modules/j1772/ammeter';
import { SimCurrentTransformer } from '../../sim/current-transformer';
import { ccid20LimitMs } from '../../sim/gfci';
import { MemoryStorage } from '../../sim/memory-storage';
import { bootedStation, gfciPulse, makeStation, plugAndCharge, type Fixture } from '../../test/cases/j1772/station-fixture';
import type { SimStationOptions } from '../../sim/station';

const S = EvseState;
const PHASES = 10;

export interface Figure {
  min: number;
  max: number;
  unit: string;
  /** Extra words after the range. */
  note?: string;
}

/** Runs `scenario(phase)` for each tick phase and returns the min–max of what it measured. */
function overPhases(unit: string, scenario: (phase: number) => number, note?: string): Figure {
  let min = Infinity;
  let max = -Infinity;
  for (let phase = 0; phase < PHASES; phase++) {
    const v = scenario(phase);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, unit, note };
}

function one(unit: string, v: number, note?: string): Figure {
  return { min: v, max: v, unit, note };
}

/** A station charging for 3 s, then `phase` ms off the tick grid. */
function charging(phase: number, options: Partial<SimStationOptions> = {}): Fixture {
  const f = bootedStation(options);
  plugAndCharge(f);
  f.clock.advance(3000 + phase);
  return f;
}

const open = (f: Fixture) => !f.station.mains.commanded;
const until = (f: Fixture, p: () => boolean, limit = 20 * 60_000) => f.clock.advanceUntil(p, limit, 1);

export const MEASURE: Record<string, () => Figure> = {
  debounceUp: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.clock.advance(300 + ph);
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    return until(f, () => f.station.controller.state === S.B);
  }, 'A → B'),
  debounceDown: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    f.clock.advance(1000 + ph);
    f.station.ev.unplug();
    return until(f, () => f.station.controller.state === S.A);
  }, 'B → A'),
  cToB: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.ev.requestCharge(false);
    return until(f, () => open(f));
  }),
  unplug: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.ev.unplug();
    return until(f, () => open(f));
  }),
  loop50: () => overPhases('ms', (ph) => {
    const f = bootedStation({ controller: { tickMs: 50, ammeterIntervalMs: 250, ammeterBlock: 4 } });
    plugAndCharge(f);
    f.clock.advance(2000 + ph * 5);
    f.station.ev.requestCharge(false);
    return until(f, () => open(f));
  }, `C → B with a 50 ms loop, 10 phases 5 ms apart (bound ${worstPowerOffMs(50)} ms; 10 ms loop bound ${worstPowerOffMs(10)} ms)`),
  close: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    f.clock.advance(1000 + ph);
    f.station.ev.requestCharge(true);
    return until(f, () => f.station.mains.commanded);
  }, 'EV asks → relay closed (debounce + GFCI self test)'),
  gfciEdge: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    const before = f.station.gfci.trips;
    let openAtEdge = -1;
    const edge = f.station.gfci.onTrip!;
    f.station.gfci.onTrip = () => {
      edge();
      if (openAtEdge < 0 && open(f)) openAtEdge = f.clock.now();
    };
    f.station.gfciLeak(300);
    until(f, () => f.station.gfci.trips > before);
    return openAtEdge >= 0 ? f.clock.now() - openAtEdge : Infinity;
  }, 'sensor edge → relay open (inside the edge callback)'),
  gfciRetry: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    gfciPulse(f, 300);
    const from = f.clock.now();
    until(f, () => f.station.controller.state !== S.GfciFault, 20 * 60_000);
    return f.clock.now() - from;
  }, 'trip → retry'),
  earlyLatch: () => {
    // Largest close → trip interval that still latches until unplug, at 1 ms resolution around 2 s.
    let latched = -1;
    for (const after of [1990, 1995, 1999, 2000, 2001, 2005, 2010]) {
      const f = bootedStation();
      plugAndCharge(f);
      const closedAt = f.clock.now();
      f.clock.advance(after - 19); // 300 mA trips in ~19 ms
      gfciPulse(f, 300);
      if (f.station.controller.hardFault === 'unplug') latched = Math.max(latched, f.clock.now() - closedAt);
    }
    return one('ms', latched, 'longest close → trip that latched until unplug');
  },
  selfTest: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    f.clock.advance(1000 + ph);
    let on = -1;
    let took = -1;
    const set = f.station.gfci.set.bind(f.station.gfci);
    f.station.gfci.set = (w: boolean) => {
      if (w && on < 0) on = f.clock.now();
      if (!w && on >= 0 && took < 0) took = f.clock.now() - on;
      set(w);
    };
    f.station.ev.requestCharge(true);
    until(f, () => f.station.mains.commanded);
    return took;
  }, 'self-test winding on → off (100 mA: sensor trips)'),
  noGround: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.station.loseGround(true);
    f.clock.advance(ph);
    plugAndCharge(f);
    const closedAt = f.clock.now();
    until(f, () => f.station.controller.state === S.NoGround);
    return f.clock.now() - closedAt;
  }, 'relay closed → fault, relay open in the same tick'),
  stuckRelay: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.weldRelay(true);
    f.station.ev.requestCharge(false);
    until(f, () => open(f));
    const openedAt = f.clock.now();
    until(f, () => f.station.controller.state === S.StuckRelay);
    return f.clock.now() - openedAt;
  }, 'relay opened → fault'),
  diode: () => overPhases('ms', (ph) => {
    const f = bootedStation();
    f.station.shortDiode(true);
    f.clock.advance(ph);
    f.station.ev.plug();
    const t = until(f, () => f.station.controller.state === S.DiodeCheckFailed);
    return f.station.mains.commanded ? Infinity : t;
  }, 'plug → 05, relay never closed'),
  vent: () => overPhases('ms', (ph) => {
    const f = bootedStation({ ev: { ventilation: true } });
    f.clock.advance(ph);
    f.station.ev.plug();
    const t = until(f, () => f.station.controller.state === S.D);
    return f.station.mains.commanded ? Infinity : t;
  }, 'plug → 04, relay never closed'),
  pilotShort: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.shortPilot(true);
    return until(f, () => open(f));
  }, `short → relay open (debounce ${DEBOUNCE_DOWN_MS} ms)`),
  overTemperature: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.ev.ignoresPilot = true;
    f.station.setTemperature(720);
    until(f, () => f.station.controller.state === S.OverTemperature);
    const at = f.clock.now();
    until(f, () => open(f));
    return f.clock.now() - at;
  }, 'fault → relay open, EV still drawing (5 s grace)'),
  overTemperatureB: () => overPhases('ms', (ph) => {
    const f = charging(0);
    f.station.ev.ignoresPilot = true;
    f.station.setTemperature(720);
    until(f, () => f.station.controller.state === S.OverTemperature);
    f.clock.advance(1000 + ph);
    f.station.ev.requestCharge(false);
    return until(f, () => open(f));
  }, 'EV back in B during the 5 s wait → relay open'),
  overCurrent: () => overPhases('ms', (ph) => {
    const f = charging(ph, { ctNoiseCounts: 1 });
    f.station.ev.ignoresPilot = true;
    f.station.ev.overdraw = 5;
    until(f, () => f.station.controller.milliamps >= 37_000);
    const at = f.clock.now();
    until(f, () => f.station.controller.state === S.OverCurrent);
    return f.clock.now() - at;
  }, 'exactly offer + 5 A: first reading ≥ threshold → fault (ripple ±15 mA)'),
  overCurrentOpen: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.ev.ignoresPilot = true;
    f.station.ev.overdraw = 6;
    until(f, () => f.station.controller.state === S.OverCurrent);
    const at = f.clock.now();
    until(f, () => open(f));
    return f.clock.now() - at;
  }, 'fault → relay open, EV still drawing (1 s grace)'),
  sleepB: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.rapi('FS');
    return until(f, () => open(f));
  }, '$FS → relay open, EV returns to B'),
  sleepTimeout: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.station.ev.ignoresPilot = true;
    f.rapi('FS');
    return until(f, () => open(f));
  }, '$FS → relay open, EV keeps drawing'),
  sleepE: () => overPhases('ms', (ph) => {
    const f = charging(0);
    f.station.ev.ignoresPilot = true;
    f.rapi('FS');
    f.clock.advance(200 + ph);
    f.station.shortPilot(true);
    return until(f, () => open(f));
  }, 'pilot shorted (E) during the sleep wait → relay open'),
  sleepD: () => overPhases('ms', (ph) => {
    const f = charging(0);
    f.station.ev.ignoresPilot = true;
    f.rapi('FS');
    f.clock.advance(200 + ph);
    f.station.ev.ventilation = true;
    return until(f, () => open(f));
  }, 'EV asks for ventilation (D) during the sleep wait → relay open'),
  fsFe: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.rapi('FS');
    f.rapi('FE');
    let worst = 0;
    let run = 0;
    for (let t = 0; t < 4000; t++) {
      f.clock.advance(1);
      run = f.station.mains.energized && f.station.trueAmps === 0 ? run + 1 : 0;
      worst = Math.max(worst, run);
    }
    return worst;
  }, 'longest the relay stays closed with the EV not drawing'),
  disable: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    const at = f.clock.now();
    f.rapi('FD');
    return open(f) ? f.clock.now() - at : Infinity;
  }, '$FD → relay open (inside the command)'),
  heartbeat: () => overPhases('ms', (ph) => {
    const f = charging(ph);
    f.rapi('SY 100 6');
    const at = f.clock.now();
    until(f, () => f.station.controller.pilotAmps === 6, 200_000);
    return f.clock.now() - at;
  }, '$SY 100 6 → fallback'),
  counters: () => {
    const settings = new SettingsStore(new MemoryStorage());
    for (let i = 0; i < 300; i++) settings.count('gfciTrips');
    return one('trips', settings.values.gfciTrips, 'after 300 trips');
  },
  precedence: () => overPhases('ms', (ph) => {
    const f = makeStation();
    f.station.weldRelay(true);
    f.station.start();
    f.clock.advance(3000 + ph);
    f.station.ev.plug();
    f.clock.advance(1000);
    gfciPulse(f, 300);
    // Every command to the contactor from here on, timed.
    let closed = 0;
    let closedAt = -1;
    const set = f.station.mains.set.bind(f.station.mains);
    f.station.mains.set = (c: boolean) => {
      if (c && closedAt < 0) closedAt = f.clock.now();
      if (!c && closedAt >= 0) {
        closed += f.clock.now() - closedAt;
        closedAt = -1;
      }
      set(c);
    };
    f.clock.advance(3_600_000);
    return closed + (closedAt >= 0 ? f.clock.now() - closedAt : 0);
  }, 'relay commanded closed in the hour after a GFCI trip on a stuck relay ($AB 08)'),
  energyLimit: () => overPhases('ms', (ph) => {
    const f = bootedStation({ ctNoiseCounts: 1 });
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    f.clock.advance(1000 + ph);
    f.rapi('SH 1');
    f.station.ev.requestCharge(true);
    let trueWs = 0;
    let watts = 0;
    while (f.station.controller.state !== S.Sleeping) {
      const amps = f.station.trueAmps;
      if (amps > 0) watts = f.station.mains.volts * amps;
      f.clock.advance(1);
      trueWs += (f.station.mains.volts * amps) / 1000;
    }
    return Math.round(((trueWs - 3_600_000) / watts) * 1000 * 10) / 10;
  }, '$SH 1 at 7.68 kW: offer withdrawn after the true energy reached 1 kWh (one tick = 10 ms)'),
};

/** One-cycle RMS readings of the sim's CT against its true current: mean relative error over `n` readings, ×10⁻⁶. */
function ammeterError(amps: number, hz: number, noise: number, n = 2000): number {
  const ct = new SimCurrentTransformer({ frequency: () => hz, amps: () => amps, noiseCounts: noise });
  const meter = new Ammeter({ bits: 12, rate: 4000, block: 1 });
  const buf = new Uint16Array(160);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += (meter.measure(buf, ct.sample(buf)) ?? 0) / (amps * 1000) - 1;
  return Math.round((sum / n) * 1e6 * 10) / 10;
}

MEASURE.ammeterNoisy = () => {
  const e = [6, 16.5, 32, 48].flatMap((a) => [ammeterError(a, 60, 1), ammeterError(a, 50, 1)]);
  return { min: Math.min(...e), max: Math.max(...e), unit: '×10⁻⁶', note: 'mean error of 2000 one-cycle readings, 6–48 A, 50 and 60 Hz, ±1 LSB noise' };
};
MEASURE.ammeterIdeal = () => {
  const e = [6, 16.5, 32, 48].flatMap((a) => [ammeterError(a, 60, 0), ammeterError(a, 50, 0)]);
  return { min: Math.min(...e), max: Math.max(...e), unit: '×10⁻⁶', note: 'the same without noise: the error is fixed by the phase of the samples' };
};

/** GFCI trip times: leak onset → relay open at each current, against UL 2231's limit. */
export function gfciCurve(): { mA: number; limit: number; figure: Figure }[] {
  return [20, 40, 100, 300].map((mA) => ({
    mA,
    limit: ccid20LimitMs(mA),
    figure: overPhases('ms', (ph) => {
      const f = charging(ph);
      f.station.gfciLeak(mA);
      return until(f, () => open(f), 5000);
    }),
  }));
}
