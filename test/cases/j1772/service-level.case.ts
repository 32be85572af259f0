import { describe, it, expect } from '../harness';
import { detectLevel, levelMaxAmps, withLevel } from '../../../modules/j1772/service-level';
import { bootedStation } from './station-fixture';

describe('service level', () => {
  it('two live lines are L2, one is L1, none is no ground', () => {
    expect(detectLevel(2)).toBe(2);
    expect(detectLevel(1)).toBe(1);
    expect(detectLevel(0)).toBeUndefined();
  });

  it('L1 allows at most 24 A; L2 the board maximum or the one-time $SC M value', () => {
    expect(levelMaxAmps(1, 80)).toBe(24);
    expect(levelMaxAmps(2, 80)).toBe(80);
    expect(levelMaxAmps(2, 80, 40)).toBe(40);
  });

  it('$SL 1/2 fix the level and set 0x0020 (auto off); $SL A clears it', () => {
    expect(withLevel(0x0000, 2)).toBe(0x0021);
    expect(withLevel(0x0021, 1)).toBe(0x0020);
    expect(withLevel(0x0021, 'A')).toBe(0x0001);
  });

  it('$SL 1 on an L2 supply: 120 V for energy, 24 A maximum, L1 current; $SL A detects L2 again at the next boot', () => {
    const f = bootedStation();
    expect(f.rapi('SL 1').command).toBe('OK');
    expect(f.rapi('GE').params).toEqual(['12', '0020']);
    expect(f.rapi('GC').params).toEqual(['6', '24', '12', '12']);
    expect(f.rapi('GG').params[1]).toBe('120000');
    expect(f.rapi('SL 2').command).toBe('OK');
    expect(f.rapi('GE').params).toEqual(['32', '0021']);
    expect(f.rapi('GG').params[1]).toBe('240000');
    f.rapi('SL 1');
    expect(f.rapi('SL A').command).toBe('OK');
    expect(f.rapi('GE').params[1]).toBe('0000');
    f.station.stop();
    const g = bootedStation({}, f.storage);
    expect(g.rapi('GE').params[1]).toBe('0001');
  });

  it('a fixed level is not overwritten by detection at power-on', () => {
    const f = bootedStation();
    f.rapi('SL 1');
    f.station.stop();
    const g = bootedStation({}, f.storage);
    expect(g.station.controller.serviceLevel).toBe(1);
  });

  it('$SL with anything but 1, 2 or A is $NK', () => {
    const f = bootedStation();
    expect(f.rapi('SL 3').command).toBe('NK');
    expect(f.rapi('SL').command).toBe('NK');
    expect(f.rapi('SL 1 2').command).toBe('NK');
  });
});
