// The simulated CCID20 sensor against UL 2231's inverse-time curve, alone and
// wired to the controller. The limits are written out from the standard's
// formula, T ≤ (20 / I)^1.43 s, not taken from the model under test.

import { describe, it, expect } from '../harness';
import { EvseState } from '../../../modules/j1772/evse-state';
import { VirtualClock } from '../../../sim/clock';
import { ccid20LimitMs, SimGfci } from '../../../sim/gfci';
import { bootedStation, plugAndCharge } from '../j1772/station-fixture';

/** UL 2231 CCID20 limits, ms, from the reference's points: 20 mA 1.0 s, 100 mA 0.10 s. */
const LIMIT: [number, number][] = [
  [20, 1000],
  [40, 1000 * 0.5 ** 1.43],
  [100, 100.2],
  [300, 1000 * (1 / 15) ** 1.43],
];

function sensor(options: { curveFraction?: number; sensorDelayMs?: number } = {}): { clock: VirtualClock; gfci: SimGfci; energized: { on: boolean } } {
  const clock = new VirtualClock();
  const energized = { on: true };
  const gfci = new SimGfci(() => energized.on, { clock, ...options });
  return { clock, gfci, energized };
}

function tripMs(mA: number, options: { curveFraction?: number; sensorDelayMs?: number } = {}): number {
  const { clock, gfci } = sensor(options);
  gfci.leak(mA);
  return clock.advanceUntil(() => gfci.read(), 5000, 1);
}

describe('sim GFCI: UL 2231 CCID20 inverse time', () => {
  it('the curve: 1.0 s at 20 mA, 0.10 s at 100 mA, nothing below 20 mA', () => {
    expect(Math.round(ccid20LimitMs(20))).toBe(1000);
    expect(Math.abs(ccid20LimitMs(100) - 100.2)).toBeLessThan(0.5);
    expect(ccid20LimitMs(19.9)).toBe(Infinity);
  });

  for (const [mA, limit] of LIMIT) {
    it(`${mA} mA trips inside the UL limit (${limit.toFixed(1)} ms) at 0.8 of it plus the 2 ms sensor delay`, () => {
      const ms = tripMs(mA);
      expect(ms).toBeLessThanOrEqual(limit);
      expect(ms).toBeGreaterThanOrEqual(Math.floor(0.8 * limit));
      expect(ms).toBeLessThanOrEqual(Math.ceil(0.8 * limit) + 2 + 1);
    });
  }

  it('19 mA never trips; a trip clears when the leak stops', () => {
    const { clock, gfci } = sensor();
    gfci.leak(19);
    clock.advance(10_000);
    expect(gfci.read()).toBe(false);
    gfci.leak(50);
    clock.advance(1000);
    expect(gfci.read()).toBe(true);
    gfci.leak(0);
    expect(gfci.read()).toBe(false);
  });

  it('the sensor delay is configurable: a slow sensor (50 ms) misses the 300 mA limit, which a test can see', () => {
    const ms = tripMs(300, { sensorDelayMs: 50 });
    expect(ms).toBeGreaterThan(ccid20LimitMs(300));
  });

  it('integrates a changing leak: 20 mA for half its time, then 100 mA, trips in the 100 mA half-time after', () => {
    const { clock, gfci } = sensor({ curveFraction: 1, sensorDelayMs: 0 });
    gfci.leak(20);
    clock.advance(500); // half the dose at 20 mA
    gfci.leak(100);
    const ms = clock.advanceUntil(() => gfci.read(), 2000, 1);
    expect(ms).toBeGreaterThanOrEqual(49);
    expect(ms).toBeLessThanOrEqual(52);
  });

  it('a leak only counts while the EV is energised; the dose resets when power goes', () => {
    const { clock, gfci, energized } = sensor();
    gfci.leak(40);
    clock.advance(200);
    energized.on = false;
    gfci.update();
    clock.advance(1000);
    expect(gfci.read()).toBe(false);
    energized.on = true;
    gfci.update();
    const ms = clock.advanceUntil(() => gfci.read(), 2000, 1);
    expect(ms).toBeGreaterThan(200); // a fresh dose, not the rest of the old one
  });

  it('the self-test winding (100 mA) trips it too; a broken sensor trips on nothing', () => {
    const { clock, gfci } = sensor();
    gfci.set(true);
    expect(clock.advanceUntil(() => gfci.read(), 1000, 1)).toBeLessThanOrEqual(100);
    gfci.set(false);
    gfci.broken = true;
    gfci.set(true);
    clock.advance(2000);
    expect(gfci.read()).toBe(false);
  });
});

describe('sim GFCI with the controller: leak onset to relay open inside the UL 2231 limit', () => {
  for (const [mA, limit] of LIMIT) {
    it(`${mA} mA: the relay is open within ${limit.toFixed(1)} ms of the leak starting, at every phase of the 10 ms tick`, () => {
      for (let phase = 0; phase < 10; phase++) {
        const f = bootedStation();
        plugAndCharge(f);
        f.clock.advance(3000 + phase);
        f.station.gfciLeak(mA);
        const ms = f.clock.advanceUntil(() => !f.station.mains.energized, 2000, 1);
        expect(ms).toBeLessThanOrEqual(limit);
        expect(f.station.controller.state).toBe(EvseState.GfciFault);
      }
    });
  }
});
