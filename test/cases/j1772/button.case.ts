import { describe, it, expect } from '../harness';
import { ButtonTimer, LONG_PRESS_MS, WIFI_PRESS_MS } from '../../../modules/j1772/button';
import { EvseState } from '../../../modules/j1772/evse-state';
import { bootedStation, plugAndCharge } from './station-fixture';

describe('button: timing a press', () => {
  it('released before 500 ms is short, after is long; under 50 ms is bounce', () => {
    const b = new ButtonTimer();
    expect(b.sample(true, 0)).toBe('none');
    expect(b.sample(false, 100)).toBe('short');
    b.sample(true, 1000);
    expect(b.sample(false, 1000 + LONG_PRESS_MS)).toBe('long');
    b.sample(true, 5000);
    expect(b.sample(false, 5020)).toBe('none');
  });

  it('held 10 s it asks for Wi-Fi once, while still held, and the release adds nothing', () => {
    const b = new ButtonTimer();
    b.sample(true, 0);
    expect(b.sample(true, WIFI_PRESS_MS - 1)).toBe('none');
    expect(b.sample(true, WIFI_PRESS_MS)).toBe('wifi');
    expect(b.sample(true, WIFI_PRESS_MS + 5000)).toBe('none');
    expect(b.sample(false, WIFI_PRESS_MS + 6000)).toBe('none');
    expect(WIFI_PRESS_MS).toBe(10_000);
  });
});

describe('button: the station', () => {
  it('a short press while charging sleeps (the relay opens); another wakes it', () => {
    const f = bootedStation();
    plugAndCharge(f);
    f.station.pressButton(100);
    f.clock.advance(200);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    f.clock.advance(100);
    expect(f.station.mains.commanded).toBe(false);
    f.station.pressButton(100);
    f.clock.advanceUntil(() => f.station.mains.energized, 5000);
    expect(f.station.controller.state).toBe(EvseState.C);
  });

  it('a 10-second press sends $WF 02 and does not toggle', () => {
    const f = bootedStation();
    f.clock.advance(100);
    const from = f.frames.length;
    f.station.pressButton(12_000);
    f.clock.advance(9_900);
    expect(f.sent('WF', from)).toHaveLength(0);
    f.clock.advance(3_000);
    const wf = f.sent('WF', from);
    expect(wf).toHaveLength(1);
    expect(wf[0].params).toEqual(['02']);
    expect(f.raw.text).toContain('$WF 02^17\r');
    expect(f.station.controller.state).toBe(EvseState.A);
  });

  it('$FF B 0 disables the button: presses are reported as $AN 0 (short) and $AN 1 (long)', () => {
    const f = bootedStation();
    f.clock.advance(100);
    expect(f.rapi('FF B 0').command).toBe('OK');
    expect(Number.parseInt(f.rapi('GE').params[1], 16) & 0x8000).toBe(0x8000);
    const from = f.frames.length;
    f.station.pressButton(100);
    f.clock.advance(200);
    f.station.pressButton(1000);
    f.clock.advance(1100);
    expect(f.sent('AN', from).map((a) => a.params[0])).toEqual(['0', '1']);
    expect(f.station.controller.state).toBe(EvseState.A);
    expect(f.rapi('FF B 1').command).toBe('OK');
    f.station.pressButton(100);
    f.clock.advance(200);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
  });

  it('$F1 toggles sleep even with the physical button disabled, and its $AT follows the $OK', () => {
    const f = bootedStation();
    f.clock.advance(100);
    f.rapi('FF B 0');
    const from = f.frames.length;
    expect(f.rapi('F1').command).toBe('OK');
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    expect(f.frames.slice(from).map((x) => x.command)).toEqual(['OK', 'AT']);
    expect(f.sent('AT', from)[0].params[0]).toBe('fe');
  });

  it('a host that reports only press edges gets a short press from button()', () => {
    const f = bootedStation();
    f.clock.advance(100);
    f.station.controller.button();
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
  });
});
