import { describe, it, expect } from '../harness';
import { EvseState } from '../../../modules/j1772/evse-state';
import { bootedStation, makeStation, plugAndCharge, type Fixture } from './station-fixture';

/** The $GE flag word as a number. */
function flags(f: Fixture): number {
  return Number.parseInt(f.rapi('GE').params[1], 16);
}

describe('$FF: every check can be disabled, persisted, reported in $GE', () => {
  // Letter → bit, from reference §2.17 (over-current: ours, docs/safety.md).
  const bits: [string, number][] = [
    ['D', 0x0002], ['V', 0x0004], ['G', 0x0008], ['R', 0x0010], ['F', 0x0200], ['T', 0x0400], ['O', 0x4000], ['B', 0x8000],
  ];
  for (const [letter, bit] of bits) {
    it(`$FF ${letter} 0 sets 0x${bit.toString(16).padStart(4, '0')} in $GE, survives a power cycle, $FF ${letter} 1 clears it`, () => {
      const f = bootedStation();
      expect(flags(f) & bit).toBe(0);
      expect(f.rapi(`FF ${letter} 0`).command).toBe('OK');
      expect(flags(f) & bit).toBe(bit);
      f.station.stop();
      const g = bootedStation({}, f.storage);
      expect(flags(g) & bit).toBe(bit);
      expect(g.rapi(`FF ${letter} 1`).command).toBe('OK');
      expect(flags(g) & bit).toBe(0);
    });
  }

  it('$FF with an unknown letter, a value other than 0/1 or a missing value is $NK', () => {
    const f = bootedStation();
    expect(f.rapi('FF X 0').command).toBe('NK');
    expect(f.rapi('FF D 2').command).toBe('NK');
    expect(f.rapi('FF D').command).toBe('NK');
    expect(f.rapi('FF D 0 1').command).toBe('NK');
  });

  it('$FF E is echo, volatile and not in $GE; $FF E 0 turns it off (OpenEVSE turns it on: §2.22 #1)', () => {
    const f = bootedStation();
    const before = flags(f);
    expect(f.rapi('FF E 1').command).toBe('OK');
    expect(f.station.rapi.echo).toBe(true);
    const at = f.raw.text.length;
    f.station.receive('$GV^35\r');
    expect(f.raw.text.slice(at)).toBe('$GV^35\r\n$OK 8.2.3 5.2.1^2F\r\n');
    expect(f.rapi('FF E 0').command).toBe('OK');
    expect(f.station.rapi.echo).toBe(false);
    const at2 = f.raw.text.length;
    f.station.receive('$GV^35\r');
    expect(f.raw.text.slice(at2)).toBe('$OK 8.2.3 5.2.1^2F\r');
    expect(flags(f)).toBe(before);
  });
});

describe('$FF: a disabled check does not fault', () => {
  it('D: an EV without its diode charges', () => {
    const f = bootedStation();
    f.rapi('FF D 0');
    f.station.shortDiode(true);
    plugAndCharge(f);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('V: an EV asking for ventilation charges as in C', () => {
    const f = bootedStation({ ev: { ventilation: true } });
    f.rapi('FF V 0');
    plugAndCharge(f);
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('G: a lost ground is not a fault', () => {
    const f = bootedStation();
    f.rapi('FF G 0');
    plugAndCharge(f);
    f.station.loseGround(true);
    f.clock.advance(5000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('R: a welded relay is not reported', () => {
    const f = bootedStation();
    f.rapi('FF R 0');
    plugAndCharge(f);
    f.station.weldRelay(true);
    f.station.ev.requestCharge(false);
    f.clock.advance(5000);
    expect(f.station.controller.state).toBe(EvseState.B);
  });

  it('F: a broken GFCI sensor no longer blocks charging (the self test is skipped)', () => {
    const f = bootedStation();
    f.rapi('FF F 0');
    f.station.breakGfci(true);
    plugAndCharge(f);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('F: GFCI protection itself stays on', () => {
    const f = bootedStation();
    f.rapi('FF F 0');
    plugAndCharge(f);
    f.clock.advance(3000);
    const before = f.station.gfci.trips;
    f.station.gfciLeak(30);
    f.clock.advanceUntil(() => f.station.gfci.trips > before, 2000, 1);
    expect(f.station.mains.commanded).toBe(false);
    expect(f.station.controller.state).toBe(EvseState.GfciFault);
  });

  it('T: no throttling and no fault at 75 °C', () => {
    const f = bootedStation();
    f.rapi('FF T 0');
    plugAndCharge(f);
    f.station.setTemperature(750);
    f.clock.advance(3000);
    expect(f.station.controller.state).toBe(EvseState.C);
    expect(f.station.controller.pilotAmps).toBe(32);
  });

  it('O: an EV drawing 10 A too much for 20 s is not faulted', () => {
    const f = bootedStation();
    f.rapi('FF O 0');
    plugAndCharge(f);
    f.station.ev.overdraw = 10;
    f.clock.advance(20_000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('R and G disabled at power-on skip those parts of the self test', () => {
    const a = bootedStation();
    a.rapi('FF R 0');
    a.rapi('FF G 0');
    a.station.stop();
    const b = makeStation({}, a.storage);
    b.station.weldRelay(true);
    b.station.start();
    b.clock.advance(5000);
    expect(b.sent('AB')[0].params[0]).toBe('00');
    const c = makeStation({}, a.storage);
    c.station.loseGround(true);
    c.station.start();
    c.clock.advance(5000);
    expect(c.sent('AB')[0].params[0]).toBe('00');
  });
});
