// Safety timings not covered by the per-fault scenarios of controller-faults.case.ts:
// debounce, the tick a fault is acted on, the GFCI self test before every
// close, and the loop period's bound.

import { describe, it, expect } from '../harness';
import { DEBOUNCE_DOWN_MS, DEBOUNCE_MS, EvseController } from '../../../modules/j1772/controller';
import { EvseState } from '../../../modules/j1772/evse-state';
import { VirtualClock } from '../../../sim/clock';
import { SimStation } from '../../../sim/station';
import { bootedStation, plugAndCharge } from './station-fixture';

describe('safety: debounce', () => {
  it('A → B needs 250 ms of a steady pilot; B → A only 25 ms', () => {
    expect(DEBOUNCE_MS).toBe(250);
    expect(DEBOUNCE_DOWN_MS).toBe(25);
    const f = bootedStation();
    f.clock.advance(300);
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    const up = f.clock.advanceUntil(() => f.station.controller.state === EvseState.B, 1000);
    expect(up).toBeGreaterThanOrEqual(250);
    expect(up).toBeLessThanOrEqual(250 + 2 * 10);
    f.station.ev.unplug();
    const down = f.clock.advanceUntil(() => f.station.controller.state === EvseState.A, 1000);
    expect(down).toBeGreaterThanOrEqual(25);
    expect(down).toBeLessThanOrEqual(25 + 2 * 10);
  });

  it('a pilot glitch shorter than the debounce changes nothing', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.shortPilot(true);
    f.clock.advance(10);
    f.station.shortPilot(false);
    f.clock.advance(500);
    expect(f.station.controller.state).toBe(EvseState.C);
    expect(f.station.mains.commanded).toBe(true);
  });
});

describe('safety: a fault opens the relay within one control tick', () => {
  it('no ground: the relay is open in the tick that finds the fault, 1 s after closing', () => {
    const f = bootedStation();
    f.station.loseGround(true);
    plugAndCharge(f);
    const ms = f.clock.advanceUntil(() => f.station.controller.state === EvseState.NoGround, 3000);
    expect(f.station.mains.commanded).toBe(false);
    expect(ms).toBeGreaterThan(1000);
    expect(ms).toBeLessThanOrEqual(1000 + 2 * 10);
  });

  it('stuck relay: AC with the relay open for more than 1 s faults within one tick of that', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.weldRelay(true);
    f.station.ev.requestCharge(false);
    f.clock.advanceUntil(() => !f.station.mains.commanded, 1000);
    const ms = f.clock.advanceUntil(() => f.station.controller.state === EvseState.StuckRelay, 3000);
    expect(ms).toBeGreaterThan(1000);
    expect(ms).toBeLessThanOrEqual(1000 + 2 * 10);
    expect(Number.parseInt(f.rapi('GF').params[2], 16)).toBe(1);
  });

  it('over-current: faulted 10 s after the excess began, relay open 1 s later', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(3000);
    f.station.ev.overdraw = 6;
    f.station.ev.ignoresPilot = true; // keeps drawing through the 1 s grace (an EV that stops is opened at once)
    const ms = f.clock.advanceUntil(() => f.station.controller.state === EvseState.OverCurrent, 15_000);
    // The excess is seen once a whole block of the ammeter's average passes offer + 5 A:
    // blocks of 8 readings 100 ms apart, so up to two blocks (1.6 s) after it began.
    expect(ms).toBeGreaterThanOrEqual(10_000);
    expect(ms).toBeLessThanOrEqual(10_000 + 2 * 800 + 10);
    const open = f.clock.advanceUntil(() => !f.station.mains.commanded, 2000);
    expect(open).toBeGreaterThanOrEqual(1000 - 10);
    expect(open).toBeLessThanOrEqual(1000 + 10);
  });

  it('the GFCI self test runs before every relay close, not only the first', () => {
    const f = bootedStation();
    let pulses = 0;
    const gfci = f.station.gfci;
    const set = gfci.set.bind(gfci);
    gfci.set = (on: boolean) => {
      if (on) pulses++;
      set(on);
    };
    plugAndCharge(f);
    expect(pulses).toBe(1);
    f.station.ev.requestCharge(false);
    f.clock.advance(1000);
    f.station.ev.requestCharge(true);
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    expect(pulses).toBe(2);
  });
});

describe('safety: the control loop period', () => {
  function controller(tickMs: number): EvseController {
    const clock = new VirtualClock();
    const station = new SimStation({ clock, output: { write() {} } });
    return new EvseController({
      clock, timers: clock, pilot: station.pilot, pilotSampler: station.pilot, relay: station.mains, acSense: station.mains,
      gfci: station.gfci, gfciTest: station.gfci, tickMs,
    });
  }

  it('accepts periods up to 50 ms (power off ≤ 100 ms after the EV leaves C) and refuses longer ones', () => {
    expect(controller(50).state).toBe(EvseState.Unknown);
    expect(() => controller(60)).toThrow();
    expect(() => controller(0)).toThrow();
  });

  it('with a 50 ms loop (the ESP32 board pacing), C → B still opens the relay within 100 ms', () => {
    const f = bootedStation({ controller: { tickMs: 50, ammeterIntervalMs: 250, ammeterBlock: 4 } });
    plugAndCharge(f);
    f.clock.advance(2000);
    f.clock.advance(17); // not in step with the loop
    f.station.ev.requestCharge(false);
    const ms = f.clock.advanceUntil(() => !f.station.mains.energized, 1000);
    expect(ms).toBeLessThanOrEqual(100);
  });
});
