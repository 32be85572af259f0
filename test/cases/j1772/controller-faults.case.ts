// The controller's faults through SimStation: GFCI trips, retries and the self
// test; ground, stuck relay, diode, vent and pilot faults; temperature and
// over-current. The normal charge and the rest are in controller.case.ts.
import { describe, it, expect } from '../harness';
import { EvseState, VFlag } from '../../../modules/j1772/evse-state';
import { RETRY_COUNT, RETRY_DELAY_MS } from '../../../modules/j1772/faults';
import { bootedStation, gfciPulse, makeStation, plugAndCharge } from './station-fixture';

describe('controller: GFCI', () => {
  it('a GFCI trip opens the relay before the next tick', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(3000);
    const edge = f.station.gfci.onTrip!;
    const before = f.station.gfci.trips; // (the self tests' trips)
    let openInsideEdge = false;
    f.station.gfci.onTrip = () => {
      edge();
      openInsideEdge = !f.station.mains.energized;
    };
    f.station.gfciLeak(25);
    f.clock.advanceUntil(() => f.station.gfci.trips > before, 2000, 1);
    expect(openInsideEdge).toBe(true);
    expect(f.station.mains.energized).toBe(false);
    expect(f.station.controller.state).toBe(EvseState.GfciFault);
    expect(f.station.pilot.generator.mode).toBe('high');
    expect(f.rapi('GF').params).toEqual(['1', '0', '0']);
    expect(f.station.controller.vflags & VFlag.GfciTripped).toBe(VFlag.GfciTripped);
  });

  it('a leak below 20 mA does not trip a CCID20', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.gfciLeak(19);
    f.clock.advance(1000);
    expect(f.station.mains.energized).toBe(true);
  });

  it('retries after the retry delay (UL: 15 min) and charges again once the leak is gone', () => {
    const f = bootedStation();
    const { delayMs } = f.station.controller.retry;
    expect(delayMs).toBe(RETRY_DELAY_MS);
    plugAndCharge(f);
    f.clock.advance(3000);
    gfciPulse(f);
    f.clock.advance(delayMs - 100);
    expect(f.station.controller.state).toBe(EvseState.GfciFault);
    expect(f.station.mains.commanded).toBe(false);
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('a fault that keeps coming back is retried the set number of times (UL: 4), then latched until unplug', () => {
    const f = bootedStation();
    const { delayMs, count } = f.station.controller.retry;
    expect(count).toBe(RETRY_COUNT);
    plugAndCharge(f);
    for (let trip = 1; trip <= count + 1; trip++) {
      f.clock.advance(3000); // past the 2 s early-fault window
      gfciPulse(f);
      expect(f.station.controller.state).toBe(EvseState.GfciFault);
      f.clock.advance(delayMs + 10); // the trip is off the tick grid: the retry is decided at the next tick
      if (trip <= count) f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    }
    expect(Number.parseInt(f.rapi('GF').params[0], 16)).toBe(count + 1);
    expect(f.station.controller.hardFault).toBe('unplug');
    f.clock.advance(2 * delayMs);
    expect(f.station.mains.commanded).toBe(false);
    f.station.ev.unplug();
    f.clock.advance(100);
    expect(f.station.controller.state).toBe(EvseState.A);
  });

  it('retry delay and count are settings: 5 min × 6 (OpenEVSE) when configured so', () => {
    const f = bootedStation({ controller: { retryDelayMs: 5 * 60_000, retryCount: 6 } });
    plugAndCharge(f);
    for (let trip = 1; trip <= 7; trip++) {
      f.clock.advance(3000);
      gfciPulse(f);
      f.clock.advance(5 * 60_000 + 10);
      if (trip <= 6) f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    }
    expect(f.station.controller.hardFault).toBe('unplug');
    expect(Number.parseInt(f.rapi('GF').params[0], 16)).toBe(7);
  });

  it('a leak that trips again the moment the relay recloses is latched (UL early fault)', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(3000);
    f.station.gfciLeak(30); // stays
    f.clock.advance(f.station.controller.retry.delayMs + 5000);
    expect(f.station.controller.state).toBe(EvseState.GfciFault);
    expect(f.station.controller.hardFault).toBe('unplug');
    expect(Number.parseInt(f.rapi('GF').params[0], 16)).toBe(2);
  });

  it('a trip within 2 s of closing is latched until unplug (no automatic retry)', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(500);
    gfciPulse(f, 300);
    expect(f.station.controller.hardFault).toBe('unplug');
    f.clock.advance(f.station.controller.retry.delayMs + 60_000);
    expect(f.station.controller.state).toBe(EvseState.GfciFault);
  });

  it('a sensor that fails its self test before the relay closes keeps the relay open', () => {
    const f = bootedStation();
    f.station.breakGfci(true);
    f.station.ev.plug();
    f.clock.advance(4000);
    expect(f.station.mains.commanded).toBe(false);
    expect(f.station.controller.state).toBe(EvseState.GfciTestFailed);
  });

  it('a broken sensor fails the power-on self test: $AB 09', () => {
    const f = makeStation();
    f.station.breakGfci(true);
    f.station.start();
    f.clock.advance(5000);
    expect(f.sent('AB')[0].params[0]).toBe('09');
    expect(f.station.controller.hardFault).toBe('permanent');
  });
});

describe('controller: ground, relay, pilot faults', () => {
  it('a lost ground while charging faults with no-ground after the 1 s check delay', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.loseGround(true);
    f.clock.advance(1100);
    expect(f.station.controller.state).toBe(EvseState.NoGround);
    expect(f.station.mains.commanded).toBe(false);
    expect(f.rapi('GF').params).toEqual(['0', '1', '0']);
  });

  it('no ground at power-on fails the self test ($AB 07)', () => {
    const f = makeStation();
    f.station.loseGround(true);
    f.station.start();
    f.clock.advance(5000);
    expect(f.sent('AB')[0].params[0]).toBe('07');
  });

  it('a welded relay at power-on fails the self test ($AB 08)', () => {
    const f = makeStation();
    f.station.weldRelay(true);
    f.station.start();
    f.clock.advance(5000);
    expect(f.sent('AB')[0].params[0]).toBe('08');
  });

  it('a relay that welds while charging is found once it should have opened', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.weldRelay(true);
    f.station.ev.requestCharge(false);
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(EvseState.B);
    f.clock.advance(1500);
    expect(f.station.controller.state).toBe(EvseState.StuckRelay);
    expect(f.station.controller.hardFault).toBe('permanent');
  });

  it('an EV without its diode fails the diode check and never gets power', () => {
    const f = bootedStation();
    f.station.shortDiode(true);
    f.station.ev.plug();
    f.clock.advance(3000);
    expect(f.station.controller.state).toBe(EvseState.DiodeCheckFailed);
    expect(f.station.mains.commanded).toBe(false);
    f.station.ev.unplug();
    f.station.shortDiode(false);
    f.clock.advance(100);
    expect(f.station.controller.state).toBe(EvseState.A);
  });

  it('an EV asking for ventilation (D) is refused', () => {
    const f = bootedStation({ ev: { ventilation: true } });
    f.station.ev.plug();
    f.clock.advance(3000);
    expect(f.station.controller.state).toBe(EvseState.D);
    expect(f.station.mains.commanded).toBe(false);
  });

  it('a pilot shorted to earth (E) removes power', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.shortPilot(true);
    f.clock.advance(50);
    expect(f.station.mains.commanded).toBe(false);
  });
});

describe('controller: temperature and current', () => {
  it('halves at 65 °C, quarters at 68 °C, and faults at 71 °C opening the relay 5 s later', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.setTemperature(660);
    f.clock.advance(1100);
    expect(f.station.controller.pilotAmps).toBe(16);
    f.station.setTemperature(690);
    f.clock.advance(1100);
    expect(f.station.controller.pilotAmps).toBe(8);
    f.station.ev.ignoresPilot = true; // an EV slow to stop keeps drawing (one that stops is the next case)
    f.station.setTemperature(720);
    f.clock.advance(1100);
    expect(f.station.controller.state).toBe(EvseState.OverTemperature);
    expect(f.station.pilot.generator.mode).toBe('high');
    f.clock.advance(3800);
    expect(f.station.mains.commanded).toBe(true);
    f.clock.advance(1200);
    expect(f.station.mains.commanded).toBe(false);
  });

  it('refuses to raise the current while hot ($NK with the current setting)', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.rapi('SC 20 V');
    f.station.setTemperature(660);
    f.clock.advance(1100);
    const r = f.rapi('SC 30 V');
    expect(r.command).toBe('NK');
    expect(r.params).toEqual(['20']);
  });

  it('an EV drawing 6 A more than offered for 10 s is an over-current fault', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.ev.overdraw = 6;
    f.clock.advance(9000);
    expect(f.station.controller.state).toBe(EvseState.C);
    f.clock.advance(3000);
    expect(f.station.controller.state).toBe(EvseState.OverCurrent);
    f.clock.advance(1100);
    expect(f.station.mains.commanded).toBe(false);
  });
});
