// Fixed storms: the failures of issue 10 (cases 1–7) and those the random
// storms found, as event sequences replayed through the same world and
// invariant checker (on Node and XS). Each failed on the code before its fix.

import { describe, it, expect } from '../harness';
import { EvseState } from '../../../modules/j1772/evse-state';
import { stormIn } from './run';
import { type StormEvent, StormWorld } from './world';

const S = EvseState;

function replay(events: StormEvent[], minutes: number, measureTrueEnergy = false): StormWorld {
  const world = new StormWorld();
  world.measureTrueEnergy = measureTrueEnergy;
  const violation = stormIn(world, events, minutes);
  expect(violation).toBeUndefined();
  return world;
}

const charging: StormEvent[] = [{ d: 100, k: 'plug' }, { d: 5000, k: 'rapi', c: 'GS' }];

describe('storm regressions: issue 10', () => {
  it('case 1: stuck relay at power-on ($AB 08), then a GFCI trip and its clearing: the retry never closes the relay', () => {
    const w = replay([{ d: 1, k: 'weld', a: 1 }, { d: 10, k: 'power' }, { d: 3000, k: 'plug' }, { d: 2000, k: 'leak', a: 300 }, { d: 100, k: 'leak', a: 0 }], 5);
    expect(w.station.controller.state).toBe(S.StuckRelay);
  });

  it('case 1: stuck relay found at stop, then a GFCI trip: 08 stands', () => {
    const w = replay([...charging, { d: 1000, k: 'weld', a: 1 }, { d: 10, k: 'request', a: 0 }, { d: 2000, k: 'leak', a: 300 }, { d: 100, k: 'leak', a: 0 }, { d: 10, k: 'request', a: 1 }], 5);
    expect(w.station.controller.state).toBe(S.StuckRelay);
  });

  it('case 1: over-temperature, then a GFCI trip in its grace: no retry to C', () => {
    const w = replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'temp', a: 720 }, { d: 1500, k: 'leak', a: 300 }, { d: 100, k: 'leak', a: 0 }, { d: 10, k: 'temp', a: 250 }, { d: 10, k: 'slow', a: 0 }], 5);
    expect(w.station.controller.state).toBe(S.OverTemperature);
  });

  it('case 1: over-current, then a GFCI trip in its grace: no retry to C', () => {
    const w = replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'overdraw', a: 6 }, { d: 11_700, k: 'leak', a: 300 }, { d: 100, k: 'leak', a: 0 }, { d: 10, k: 'overdraw', a: 0 }, { d: 10, k: 'slow', a: 0 }], 5);
    expect(w.station.controller.state).toBe(S.OverCurrent);
  });

  it('case 2: $FS then $FE in the same millisecond', () => {
    const w = replay([...charging, { d: 3, k: 'rapi', c: 'FS' }, { d: 0, k: 'rapi', c: 'FE' }], 1);
    expect(w.station.controller.state).toBe(S.C);
  });

  it('case 3: a shorted pilot, and an EV asking for ventilation, during the sleep wait', () => {
    replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'rapi', c: 'FS' }, { d: 200, k: 'short', a: 1 }], 1);
    replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'rapi', c: 'FS' }, { d: 200, k: 'vent', a: 1 }], 1);
  });

  it('case 4: an EV drawing exactly offer + 5 A is faulted', () => {
    const w = replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'overdraw', a: 5 }], 1);
    expect(w.station.controller.state).toBe(S.OverCurrent);
  });

  it('case 5: $SH 1 stops charging once 1 kWh (3.6 MWs) is delivered, counted from the relay closing', () => {
    const w = replay([{ d: 100, k: 'request', a: 0 }, { d: 10, k: 'plug' }, { d: 1000, k: 'rapi', c: 'SH 1' }, { d: 10, k: 'request', a: 1 }], 10, true);
    const c = w.station.controller;
    expect(c.state).toBe(S.Sleeping);
    expect(c.sleepReason).toBe('limit');
    // What really flowed (the EV stops the moment the offer goes): 1 kWh, plus at most one 10 ms tick
    // at 7.68 kW (76.8 Ws) and the meter's error (≈ 1 Ws here). Before the fix: 0.10 % (3.6 kWs) more.
    expect(w.trueWs).toBeGreaterThanOrEqual(3_600_000 - 10);
    expect(w.trueWs).toBeLessThanOrEqual(3_600_000 + 77 + 10);
  });

  it('case 6: the EV back in B during the over-temperature wait', () => {
    replay([...charging, { d: 10, k: 'slow', a: 1 }, { d: 10, k: 'temp', a: 720 }, { d: 2000, k: 'request', a: 0 }], 1);
  });

  it('case 7: 20 mA of leakage trips the (UL 2231) sensor within 1 s and the relay opens with it', () => {
    const w = replay([...charging, { d: 10, k: 'leak', a: 20 }], 1);
    expect(w.station.controller.state).toBe(S.GfciFault);
    expect(w.station.gfci.trips).toBe(3); // the power-on and the pre-close self tests', then the leak's
  });
});

describe('storm regressions: found by the random storms', () => {
  it('$FR during the power-on self test does not leave its relay closed under +12 V', () => {
    replay([{ d: 1, k: 'rapi', c: 'FR' }], 1);
  });

  it('$SC 51 (12-bit PWM rounded above 85 %: the EV read 52.5 A) and $SC 52 (the table\'s gap: read 50.9 A)', () => {
    replay([{ d: 340, k: 'rapi', c: 'SC 51' }, { d: 50, k: 'plug' }], 1);
    replay([{ d: 340, k: 'rapi', c: 'SC 52' }, { d: 50, k: 'plug' }], 1);
  });

  it('a welded relay with the earth lost (the AC sense sees nothing) and a leak: the power-on test does not close onto the tripped sensor', () => {
    const w = replay([{ d: 1, k: 'leak', a: 25 }, { d: 50, k: 'ground-lost', a: 1 }, { d: 5000, k: 'weld', a: 1 }, { d: 584, k: 'rapi', c: 'FR' }], 1);
    expect(w.station.controller.state).toBe(S.StuckRelay);
  });

  it('a power cycle (stop, start) forgets a standing fault: its retry delay starts afresh with the next fault', () => {
    replay([{ d: 5000, k: 'plug' }, { d: 5000, k: 'ground-lost', a: 1, b: 10_000 }, { d: 50, k: 'power' }], 2);
  });

    it('a GFCI trip during the 3 s before a $FR restart ends with the restart (the checker counts it as the power cycle it is)', () => {
    replay([{ d: 5000, k: 'plug' }, { d: 608, k: 'slow', a: 1 }, { d: 2, k: 'rapi', c: 'FR' }, { d: 50, k: 'leak', a: 40, b: 299 }], 1);
  });

    it('one noisy 12 V reading in a fault state is not an unplug', () => {
    const w = replay([{ d: 100, k: 'diode', a: 1 }, { d: 10, k: 'plug' }, { d: 3000, k: 'noise', a: 35, b: 15 }], 1);
    expect(w.station.controller.state).toBe(S.DiodeCheckFailed);
  });
});
