// Fault precedence (faults.ts FAULTS, mayReplace): every row of the table, as
// data and as a scenario on the simulated station. Expected values are
// written out here from docs/safety.md, not derived from the table under test.

import { describe, it, expect } from '../harness';
import { EvseState } from '../../../modules/j1772/evse-state';
import { FAULTS, FaultSupervisor, LATCH_STRENGTH, mayReplace, RetryPolicy, type Latch } from '../../../modules/j1772/faults';
import { bootedStation, gfciPulse, makeStation, plugAndCharge, type Fixture } from './station-fixture';

const S = EvseState;
/** docs/safety.md "Fault precedence", strongest first. */
const ORDER: [number, Latch][] = [
  [S.StuckRelay, 'permanent'],
  [S.GfciFault, 'retry'],
  [S.GfciTestFailed, 'unplug'],
  [S.NoGround, 'retry'],
  [S.OverCurrent, 'unplug'],
  [S.OverTemperature, 'unplug'],
  [S.DiodeCheckFailed, 'unplug'],
  [S.D, 'unplug'],
];
const STRENGTH: Record<string, number> = { retry: 1, unplug: 2, permanent: 3 };

describe('fault precedence: the table', () => {
  it('every fault state has one row with the documented latch', () => {
    expect(Object.keys(FAULTS).length).toBe(ORDER.length);
    for (const [state, latch] of ORDER) expect(FAULTS[state].latch).toBe(latch);
    expect(LATCH_STRENGTH.none).toBe(0);
  });

  it('a fault replaces a standing one only with a stronger latch, or an equal latch and a higher rank (every pair)', () => {
    for (let i = 0; i < ORDER.length; i++) {
      for (let j = 0; j < ORDER.length; j++) {
        const [next, nextLatch] = ORDER[i];
        const [standing, standingLatch] = ORDER[j];
        const stronger = STRENGTH[nextLatch] > STRENGTH[standingLatch] || (STRENGTH[nextLatch] === STRENGTH[standingLatch] && i < j);
        expect({ next, standing, replace: mayReplace(next, nextLatch, standing, standingLatch) }).toEqual({ next, standing, replace: stronger });
      }
    }
  });

  it('an early (≤ 2 s) GFCI trip latches until unplug, and then outranks a standing retry fault', () => {
    expect(mayReplace(S.GfciFault, 'unplug', S.OverCurrent, 'unplug')).toBe(true);
    expect(mayReplace(S.NoGround, 'unplug', S.OverTemperature, 'unplug')).toBe(true);
    expect(mayReplace(S.D, 'permanent', S.StuckRelay, 'permanent')).toBe(false);
  });

  it('the supervisor never weakens its latch: a retry fault after a permanent one leaves it permanent', () => {
    const sup = new FaultSupervisor([], new RetryPolicy({ delayMs: 1000, count: 4 }));
    sup.raise(S.StuckRelay, 0, -1);
    expect(sup.raise(S.GfciFault, 10_000, -1)?.state).toBe(S.GfciFault); // counted, relay opened…
    expect(sup.standing).toBe(S.StuckRelay); // …but the stuck relay stands
    expect(sup.hard).toBe('permanent');
    expect(sup.step(1_000_000, true)).toBe('wait'); // unplugging does not clear it
    expect(sup.standing).toBe(S.StuckRelay);
    sup.clear(); // power cycle
    expect(sup.standing).toBe(0);
  });

  it('a retry fault is retried; a stronger latch raised meanwhile stops the retry', () => {
    const sup = new FaultSupervisor([], new RetryPolicy({ delayMs: 1000, count: 4 }));
    sup.raise(S.GfciFault, 0, -1);
    sup.raise(S.OverTemperature, 500, -1);
    expect(sup.standing).toBe(S.OverTemperature);
    expect(sup.step(5000, false)).toBe('wait');
    expect(sup.step(5010, true)).toBe('unplugged');
    expect(sup.standing).toBe(0);
  });
});

// --- Scenarios: each standing fault, then a GFCI trip and its clearing while plugged in, then 5 × 15 min.

/** Runs `minutes` of virtual time in 10 s steps, failing if the relay is ever commanded closed. */
function neverCloses(f: Fixture, minutes: number): void {
  for (let t = 0; t < minutes * 60_000; t += 10_000) {
    f.clock.advance(10_000);
    expect(f.station.mains.commanded).toBe(false);
  }
}

/** A GFCI trip and its clearing while the contactor still carries current (welded, or in a fault's grace). */
function gfciTripAndClear(f: Fixture): void {
  gfciPulse(f);
}

describe('fault precedence: a later GFCI trip never reopens a stronger latch (issue 10 case 1)', () => {
  it('stuck relay at power-on ($AB 08), then a GFCI trip: no retry, the relay stays open, 08 stands', () => {
    const g = welded();
    g.station.ev.plug();
    g.clock.advance(1000);
    gfciTripAndClear(g);
    expect(g.station.controller.state).toBe(S.StuckRelay);
    neverCloses(g, 5 * 15 + 1);
    expect(g.station.controller.state).toBe(S.StuckRelay);
  });

  it('stuck relay found at stop, then a GFCI trip: no retry, 08 stands, unplugging does not clear it', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.weldRelay(true);
    f.station.ev.requestCharge(false);
    f.clock.advanceUntil(() => f.station.controller.state === S.StuckRelay, 3000);
    gfciTripAndClear(f);
    f.station.ev.requestCharge(true);
    neverCloses(f, 5 * 15 + 1);
    f.station.ev.unplug();
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(S.StuckRelay);
  });

  it('over-temperature (71 °C), then a GFCI trip in its grace: 0A stands until unplug, no retry', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(5000); // a GFCI trip ≤ 2 s after the close would latch until unplug and outrank 0A (previous case)
    f.station.ev.ignoresPilot = true;
    f.station.setTemperature(720);
    f.clock.advanceUntil(() => f.station.controller.state === S.OverTemperature, 2000);
    expect(f.station.mains.commanded).toBe(true); // the 5 s grace
    gfciTripAndClear(f);
    expect(f.station.mains.commanded).toBe(false); // the trip opens it at once
    expect(f.station.controller.hardFault).toBe('unplug');
    f.station.setTemperature(250);
    f.station.ev.ignoresPilot = false;
    neverCloses(f, 5 * 15 + 1);
    expect(f.station.controller.state).toBe(S.OverTemperature);
    f.station.ev.unplug();
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(S.A);
  });

  it('over-current, then a GFCI trip in its grace: 0B stands until unplug, no retry', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.ev.ignoresPilot = true;
    f.station.ev.overdraw = 6;
    f.clock.advanceUntil(() => f.station.controller.state === S.OverCurrent, 15_000);
    expect(f.station.mains.commanded).toBe(true); // the 1 s grace
    gfciTripAndClear(f);
    expect(f.station.mains.commanded).toBe(false);
    f.station.ev.overdraw = 0;
    f.station.ev.ignoresPilot = false;
    neverCloses(f, 5 * 15 + 1);
    expect(f.station.controller.state).toBe(S.OverCurrent);
  });

  it('a GFCI self-test failure (09, until unplug) is not replaced by a later no-ground retry fault', () => {
    const f = bootedStation();
    f.station.breakGfci(true);
    f.station.ev.plug();
    f.clock.advanceUntil(() => f.station.controller.state === S.GfciTestFailed, 10_000);
    f.station.breakGfci(false);
    neverCloses(f, 20);
    expect(f.station.controller.state).toBe(S.GfciTestFailed);
  });

  it('$FD keeps a latch: $FD then $FE returns to the latched fault, not to charging', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.ev.overdraw = 6;
    f.clock.advanceUntil(() => f.station.controller.state === S.OverCurrent, 15_000);
    f.station.ev.overdraw = 0;
    f.clock.advance(2000);
    expect(f.rapi('FD').command).toBe('OK');
    expect(f.station.controller.state).toBe(S.Disabled);
    expect(f.rapi('FE').command).toBe('OK');
    expect(f.station.controller.state).toBe(S.OverCurrent);
    neverCloses(f, 1);
  });

  it('a stronger fault replaces a weaker one: vent required (04), then a welded relay → 08', () => {
    const f = bootedStation({ ev: { ventilation: true } });
    f.station.ev.plug();
    f.clock.advanceUntil(() => f.station.controller.state === S.D, 10_000);
    f.station.weldRelay(true);
    f.clock.advanceUntil(() => f.station.controller.state === S.StuckRelay, 3000);
    expect(f.station.controller.hardFault).toBe('permanent');
  });

  it('GFCI retries while no stronger latch stands (the retry row): after 15 min it charges again', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(5000);
    gfciTripAndClear(f);
    expect(f.station.controller.state).toBe(S.GfciFault);
    f.clock.advance(15 * 60_000 + 10_000);
    expect(f.station.mains.commanded).toBe(true);
  });

  it('no-ground retries like GFCI; diode-check failure (05) waits for unplug', () => {
    const f = bootedStation();
    f.station.loseGround(true);
    plugAndCharge(f);
    f.clock.advanceUntil(() => f.station.controller.state === S.NoGround, 3000);
    expect(f.station.controller.hardFault).toBe('unplug'); // within 2 s of closing: early fault
    const d = bootedStation();
    d.station.shortDiode(true);
    d.station.ev.plug();
    d.clock.advanceUntil(() => d.station.controller.state === S.DiodeCheckFailed, 10_000);
    neverCloses(d, 20);
    d.station.ev.unplug();
    d.clock.advance(1000);
    expect(d.station.controller.state).toBe(S.A);
  });
});

/** A station whose contactor is welded before power-on. */
function welded(): Fixture {
  const f = makeStation();
  f.station.weldRelay(true);
  f.station.start();
  f.clock.advanceUntil(() => f.sent('AB').length > 0, 5000);
  expect(f.sent('AB')[0].params[0]).toBe('08');
  return f;
}
