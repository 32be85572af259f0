import { describe, it, expect } from '../harness';
import { EvseState, VFlag } from '../../../modules/j1772/evse-state';
import { RETRY_COUNT, RETRY_DELAY_MS } from '../../../modules/j1772/faults';
import { MemoryStorage } from '../../../sim/memory-storage';
import { bootedStation, gfciPulse, makeStation, plugAndCharge } from './station-fixture';

describe('controller: a normal charge', () => {
  it('boots with $AB 00 and settles in A with the pilot at +12 V', () => {
    const f = bootedStation();
    expect(f.sent('AB')[0].params[0]).toBe('00');
    f.clock.advance(100);
    expect(f.station.controller.state).toBe(EvseState.A);
    expect(f.station.pilot.generator.mode).toBe('high');
    expect(f.station.mains.commanded).toBe(false);
  });

  it('plugging in offers 32 A as 53.3 % PWM, and the relay closes within 3 s of the EV asking', () => {
    const f = bootedStation();
    const ms = plugAndCharge(f);
    expect(ms).toBeLessThanOrEqual(3000 + 250); // IEC sequence 4, after the B debounce
    const g = f.station.pilot.generator;
    expect(g.mode).toBe('pwm');
    if (g.mode === 'pwm') expect(g.duty).toBeCloseTo(32 / 0.6, 1);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('the EV stopping (C→B) opens the relay within 100 ms', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(2000);
    f.station.ev.requestCharge(false);
    const ms = f.clock.advanceUntil(() => !f.station.mains.energized, 1000);
    expect(ms).toBeLessThan(100);
    f.clock.advance(300);
    expect(f.station.controller.state).toBe(EvseState.B);
  });

  it('unplugging opens the relay within 100 ms and returns to A', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(2000);
    f.station.ev.unplug();
    const ms = f.clock.advanceUntil(() => f.station.controller.state === EvseState.A, 1000);
    expect(ms).toBeLessThan(100);
    expect(f.station.mains.energized).toBe(false);
  });

  it('measures the drawn current through the CT and counts energy', () => {
    const f = bootedStation({ ev: { maxCurrent: 16 } });
    plugAndCharge(f);
    f.clock.advance(60_000);
    const mA = f.station.controller.milliamps;
    expect(Math.abs(mA - 16_000)).toBeLessThan(160); // 1 % of reading
    // 240 V × 16 A × ~60 s; the first reading takes one ammeter block (< 1 s).
    const ws = f.station.controller.energy.sessionWs;
    expect(ws).toBeGreaterThan(240 * 16 * 59 * 0.99);
    expect(ws).toBeLessThan(240 * 16 * 60 * 1.01);
  });

  it('a $SC change while charging changes the PWM at once', () => {
    const f = bootedStation();
    plugAndCharge(f);
    expect(f.rapi('SC 16 V').command).toBe('OK');
    const g = f.station.pilot.generator;
    if (g.mode !== 'pwm') throw new Error('pilot not PWM');
    expect(g.duty).toBeCloseTo(16 / 0.6, 1);
  });
});

describe('controller: pause and disable', () => {
  it('$FS withdraws the offer (steady +12 V) and opens the relay once the EV returns to B', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(2000);
    f.rapi('FS');
    expect(f.station.pilot.generator.mode).toBe('high');
    f.clock.advance(50);
    expect(f.station.mains.energized).toBe(false);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    f.rapi('FE');
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('$FS opens the relay after 3 s even if the EV keeps drawing', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.clock.advance(2000);
    f.station.ev.ignoresPilot = true;
    f.rapi('FS');
    f.clock.advance(2900);
    expect(f.station.mains.energized).toBe(true);
    f.clock.advance(200);
    expect(f.station.mains.energized).toBe(false);
  });

  it('$FD opens the relay inside the command and holds the pilot at −12 V', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.rapi('FD');
    expect(f.station.mains.energized).toBe(false);
    expect(f.station.pilot.generator.mode).toBe('low');
    expect(f.rapi('G0').params[0]).toBe('2');
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(EvseState.Disabled);
  });
});

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

describe('controller: supervision and limits', () => {
  it('a missed heartbeat drops the pilot to the fallback until acknowledged', () => {
    const f = bootedStation();
    plugAndCharge(f);
    expect(f.rapi('SY 5 6').params).toEqual(['5', '6', '0']);
    f.clock.advance(4000);
    f.rapi('SY');
    f.clock.advance(4000);
    expect(f.station.controller.pilotAmps).toBe(32);
    f.clock.advance(1100);
    expect(f.station.controller.pilotAmps).toBe(6);
    expect(f.rapi('SY').command).toBe('NK');
    expect(f.rapi('GY').params).toEqual(['5', '6', '2']);
    expect(f.rapi('SY 165').params).toEqual(['5', '6', '1']);
    expect(f.station.controller.pilotAmps).toBe(32);
  });

  it('a missed heartbeat with a 0 A fallback stops the offer (sleeps) instead of offering 6 A, until acknowledged and woken', () => {
    const f = bootedStation();
    plugAndCharge(f);
    expect(f.rapi('SY 1 0').params).toEqual(['1', '0', '0']);
    for (let t = 0; t < 5; t++) {
      f.clock.advance(900);
      f.rapi('SY');
    }
    expect(f.station.controller.state).toBe(EvseState.C);
    // Last pulse at t; the first 10 ms control tick more than 1000 ms later sleeps: the pilot offers nothing.
    f.clock.advance(1000);
    expect(f.station.controller.pilotAmps).toBe(32);
    expect(f.station.pilot.offer).toBe(32);
    f.clock.advance(10);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    expect(f.station.pilot.offer).toBe(0);
    expect(f.rapi('GY').params).toEqual(['1', '0', '2']);
    // The acknowledgement alone does not wake it: the gateway decides ($FE).
    expect(f.rapi('SY 165').params).toEqual(['1', '0', '1']);
    f.clock.advance(500);
    expect(f.station.pilot.offer).toBe(0);
    expect(f.rapi('FE').command).toBe('OK');
    for (let t = 0; t < 6; t++) {
      f.clock.advance(500);
      expect(f.rapi('SY').command).toBe('OK');
    }
    expect(f.station.controller.state).toBe(EvseState.C);
    expect(f.station.pilot.offer).toBe(32);
  });

  it('a 1 kWh limit ($SH 1) puts the station to sleep after 1 kWh', () => {
    const f = bootedStation();
    plugAndCharge(f);
    expect(f.rapi('SH 1').command).toBe('OK');
    // 240 V × 32 A = 7.68 kW: 1 kWh takes 468.75 s.
    f.clock.advance(460_000);
    expect(f.station.controller.state).toBe(EvseState.C);
    f.clock.advance(12_000);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    expect(f.station.controller.vflags & VFlag.LimitSleep).toBe(VFlag.LimitSleep);
    const ws = Number(f.rapi('GU').params[0]);
    expect(ws).toBeGreaterThanOrEqual(3_600_000);
    expect(ws).toBeLessThan(3_600_000 * 1.01);
  });

  it('a 15-minute limit ($S3 1) sleeps after 15 minutes of charging', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.rapi('S3 1');
    f.clock.advance(15 * 60_000 - 1000);
    expect(f.station.controller.state).toBe(EvseState.C);
    f.clock.advance(2000);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
  });

  it('limits are refused with no EV connected', () => {
    const f = bootedStation();
    f.clock.advance(100);
    expect(f.rapi('SH 5').command).toBe('NK');
    expect(f.rapi('S3 4').command).toBe('NK');
  });
});

describe('controller: settings survive a power cycle', () => {
  it('$SC saves, $SC V does not; counters and the Wh total persist', () => {
    const storage = new MemoryStorage();
    const a = bootedStation({}, storage);
    a.rapi('SC 16');
    a.rapi('SC 10 V');
    a.rapi('SK 1234');
    a.station.stop();
    const b = bootedStation({}, new MemoryStorage(storage.snapshot()));
    expect(b.rapi('GE').params[0]).toBe('16');
    expect(b.rapi('GU').params[1]).toBe('1234');
  });
});

describe('controller: service level', () => {
  it('detects L2 (both lines live) at power-on and L1 on a 120 V supply', () => {
    const l2 = bootedStation();
    expect(l2.rapi('GE').params[1]).toBe('0001');
    expect(l2.rapi('GG').params[1]).toBe('240000');
    const l1 = bootedStation({ mains: { volts: 120, lines: 1 } });
    expect(l1.rapi('GE').params[1]).toBe('0000');
    // L1: at most 24 A, default 12 A.
    expect(l1.rapi('GC').params).toEqual(['6', '24', '12', '12']);
  });

  it('with an EV plugged in at power-on, the first charge detects the level', () => {
    const f = makeStation();
    f.station.ev.plug();
    f.station.start();
    f.clock.advance(500);
    expect(f.station.controller.vflags & VFlag.AutoServiceLevelSkipped).toBe(VFlag.AutoServiceLevelSkipped);
    expect(f.station.controller.serviceLevel).toBe(1);
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    f.clock.advance(1100);
    expect(f.station.controller.serviceLevel).toBe(2);
    expect(f.station.controller.vflags & VFlag.AutoServiceLevelSkipped).toBe(0);
  });
});
