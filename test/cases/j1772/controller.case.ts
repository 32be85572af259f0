// The controller through SimStation, one scenario per row of docs/controller.md's
// table: a normal charge, pause and disable, supervision and limits, settings
// across a power cycle, the service level. The faults are in controller-faults.case.ts.
import { describe, it, expect } from '../harness';
import { EvseState, VFlag } from '../../../modules/j1772/evse-state';
import { MemoryStorage } from '../../../sim/memory-storage';
import { bootedStation, makeStation, plugAndCharge } from './station-fixture';

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
