import { describe, it, expect } from '../harness';
import { DelayTimer, inWindow, validWindow } from '../../../modules/j1772/delay-timer';
import { EvseState, VFlag } from '../../../modules/j1772/evse-state';
import { bootedStation, type Fixture } from './station-fixture';

const at = (h: number, m: number) => h * 60 + m;

describe('delay timer: the window', () => {
  it('a window inside one day: start inclusive, stop exclusive', () => {
    const w = [8, 30, 17, 0] as const;
    expect(inWindow(w, at(8, 29))).toBe(false);
    expect(inWindow(w, at(8, 30))).toBe(true);
    expect(inWindow(w, at(16, 59))).toBe(true);
    expect(inWindow(w, at(17, 0))).toBe(false);
  });

  it('a window that crosses midnight (22:00–06:00)', () => {
    const w = [22, 0, 6, 0] as const;
    expect(inWindow(w, at(21, 59))).toBe(false);
    expect(inWindow(w, at(22, 0))).toBe(true);
    expect(inWindow(w, at(23, 59))).toBe(true);
    expect(inWindow(w, at(0, 0))).toBe(true);
    expect(inWindow(w, at(5, 59))).toBe(true);
    expect(inWindow(w, at(6, 0))).toBe(false);
    expect(inWindow(w, at(12, 0))).toBe(false);
  });

  it('start == stop is invalid; all zeros is "off"; hours ≤ 23, minutes ≤ 59', () => {
    expect(validWindow([5, 0, 5, 0])).toBe(false);
    expect(validWindow([0, 0, 0, 0])).toBe(true);
    expect(validWindow([24, 0, 6, 0])).toBe(false);
    expect(validWindow([22, 60, 6, 0])).toBe(false);
    expect(validWindow([0, 5, 6, 55])).toBe(true);
  });

  it('an override lasts until the state agrees with the window', () => {
    const t = new DelayTimer();
    const w = [22, 0, 6, 0] as const;
    expect(t.decide(w, at(12, 0), false, false)).toBe('sleep');
    t.override(); // the user woke it at noon
    expect(t.decide(w, at(12, 0), false, false)).toBe('none');
    expect(t.overridden).toBe(true);
    expect(t.decide(w, at(22, 0), false, false)).toBe('none'); // awake inside: caught up
    expect(t.overridden).toBe(false);
    expect(t.decide(w, at(6, 0), false, false)).toBe('sleep');
  });
});

/** A station whose RTC reads `hh:mm:00` on 2024-01-15. */
function stationAt(hh: number, mm: number): Fixture {
  const f = bootedStation();
  expect(f.rapi(`S1 24 1 15 ${hh} ${mm} 0`).command).toBe('OK');
  return f;
}

describe('delay timer: the station', () => {
  it('outside the window the station sleeps within 1 s, and $GS shows vflag 0x1000', () => {
    const f = stationAt(12, 0);
    expect(f.rapi('ST 22 0 6 0').command).toBe('OK');
    f.clock.advance(1000);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    expect(Number.parseInt(f.rapi('GS').params[3], 16) & VFlag.DelayTimer).toBe(0x1000);
    // A car plugged in outside the window gets no offer and no power.
    f.station.ev.plug();
    f.clock.advance(5000);
    expect(f.station.pilot.generator.mode).toBe('high');
    expect(f.station.mains.commanded).toBe(false);
  });

  it('wakes at the start time (checked every second) and charges the waiting car', () => {
    const f = stationAt(21, 59);
    f.rapi('ST 22 0 6 0');
    f.station.ev.plug();
    f.clock.advance(59_000); // 21:59:59
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    f.clock.advance(1000 + 1000); // 22:00:00 and one check period
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('the window crosses midnight: still charging at 05:59, asleep at 06:00', () => {
    const f = stationAt(5, 58);
    f.rapi('ST 22 0 6 0');
    f.station.ev.plug();
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    f.clock.advance(60_000); // 05:59
    expect(f.station.controller.state).toBe(EvseState.C);
    f.clock.advanceUntil(() => f.station.controller.state === EvseState.Sleeping, 61_000);
    expect(f.rapi('GT').params.slice(3, 5)).toEqual(['6', '0']);
    f.clock.advance(3000);
    expect(f.station.mains.commanded).toBe(false);
  });

  it('a button press outside the window charges now (manual override) until the window agrees', () => {
    const f = stationAt(12, 0);
    f.rapi('ST 22 0 6 0');
    f.station.ev.plug();
    f.clock.advance(2000);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    f.station.pressButton(100);
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    f.clock.advance(60_000);
    expect(f.station.controller.state).toBe(EvseState.C);
    expect(f.station.controller.timerOverridden).toBe(true);
  });

  it('$F1 overrides like the button; unplugging ends the override', () => {
    const f = stationAt(12, 0);
    f.rapi('ST 22 0 6 0');
    f.station.ev.plug();
    f.clock.advance(2000);
    f.rapi('F1');
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    f.station.ev.unplug();
    f.clock.advance(2000);
    expect(f.station.controller.timerOverridden).toBe(false);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
  });

  it('a $FS sleep is not undone by the window; $ST 0 0 0 0 wakes a timer sleep', () => {
    const f = stationAt(23, 0);
    f.rapi('ST 22 0 6 0');
    f.rapi('FS');
    f.clock.advance(5000);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    const g = stationAt(12, 0);
    g.rapi('ST 22 0 6 0');
    g.clock.advance(1000);
    expect(g.station.controller.sleepReason).toBe('timer');
    expect(g.rapi('ST 0 0 0 0').command).toBe('OK');
    expect(g.rapi('GD').params).toEqual(['0', '0', '0', '0']);
    g.clock.advance(1100);
    expect(g.station.controller.state).toBe(EvseState.A);
  });

  it('the window survives a power cycle', () => {
    const f = stationAt(12, 0);
    f.rapi('ST 22 0 6 0');
    f.station.stop();
    const g = bootedStation({}, f.storage);
    expect(g.rapi('GD').params).toEqual(['22', '0', '6', '0']);
  });
});
