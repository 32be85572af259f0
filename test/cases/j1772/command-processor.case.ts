import { describe, it, expect } from '../harness';
import { bootedStation, plugAndCharge } from './station-fixture';

/** Sends raw text and returns the raw bytes the controller answered with. */
function exchange(f: ReturnType<typeof bootedStation>, text: string): string {
  const before = f.raw.text.length;
  f.station.receive(text);
  return f.raw.text.slice(before);
}

describe('RAPI command processor: framing', () => {
  it('answers with the published checksums: $GV → $OK 8.2.3 5.2.1^2F', () => {
    const f = bootedStation();
    expect(exchange(f, '$GV^35\r')).toBe('$OK 8.2.3 5.2.1^2F\r');
  });

  it('$SC 24 → $OK 24^06 (seed document example)', () => {
    const f = bootedStation();
    expect(exchange(f, '$SC 24^12\r')).toBe('$OK 24^06\r');
  });

  it('$SY 5 6 → $OK 5 6 0^33 (heartbeat set-up the gateway sends)', () => {
    const f = bootedStation();
    expect(exchange(f, '$SY 5 6^2D\r')).toBe('$OK 5 6 0^33\r');
  });

  it('echoes the sequence id: $GS :2A', () => {
    const f = bootedStation();
    f.clock.advance(100);
    expect(exchange(f, '$GS :2A^59\r')).toMatch(/^\$OK 01 0 01 0200 :2A\^[0-9A-F]{2}\r$/);
  });

  it('a wrong checksum is refused with $NK^21', () => {
    const f = bootedStation();
    expect(exchange(f, '$GV^36\r')).toBe('$NK^21\r');
  });

  it('accepts the additive checksum and no checksum', () => {
    const f = bootedStation();
    expect(exchange(f, '$S0 0*F7\r')).toBe('$OK^20\r');
    expect(exchange(f, '$GG\r')).toMatch(/^\$OK /);
  });

  it('drops a frame longer than the 32-byte buffer without a reply', () => {
    const f = bootedStation();
    expect(exchange(f, '$FP 0 0 ' + 'x'.repeat(40) + '\r')).toBe('');
    expect(exchange(f, '$GV\r')).toMatch(/^\$OK 8\.2\.3/);
  });

  it('more than 10 tokens is $NK; an unknown command is $NK', () => {
    const f = bootedStation();
    expect(exchange(f, '$FP 1 2 3 4 5 6 7 8 9 0\r')).toBe('$NK^21\r');
    expect(exchange(f, '$ZZ\r')).toBe('$NK^21\r');
  });
});

describe('RAPI command processor: getters', () => {
  it('$GS in state A after boot: 01 0 01 0200', () => {
    const f = bootedStation();
    f.clock.advance(100);
    expect(f.rapi('GS').params).toEqual(['01', '0', '01', '0200']);
  });

  it('$GP reports the MCP9808 and −2560 for the absent DS3231 and TMP007', () => {
    const f = bootedStation({ temperature: 342 });
    f.clock.advance(1100);
    expect(f.rapi('GP').params).toEqual(['-2560', '342', '-2560']);
  });

  it('$GC: 6 A minimum, 80 A L2 maximum, 32 A offered and configured', () => {
    const f = bootedStation();
    expect(f.rapi('GC').params).toEqual(['6', '80', '32', '32']);
  });

  it('$SC out of range is clamped and refused with the current in force', () => {
    const f = bootedStation();
    expect(f.rapi('SC 90').command).toBe('NK');
    expect(f.rapi('GE').params[0]).toBe('80');
    const low = f.rapi('SC 3');
    expect(low.command).toBe('NK');
    expect(low.params).toEqual(['6']);
  });

  it('$SC n M sets the hardware maximum once', () => {
    const f = bootedStation();
    expect(f.rapi('SC 40 M').command).toBe('OK');
    expect(f.rapi('GC').params[1]).toBe('40');
    expect(f.rapi('SC 50 M').command).toBe('NK');
    expect(f.rapi('SC 48').params).toEqual(['40']);
  });

  it('$S1 sets the clock that $GT reads', () => {
    const f = bootedStation();
    f.rapi('S1 24 1 15 13 30 0');
    f.clock.advance(65_000);
    expect(f.rapi('GT').params).toEqual(['24', '1', '15', '13', '31', '5']);
  });

  it('$ST stores the delay timer; start == stop is refused', () => {
    const f = bootedStation();
    expect(f.rapi('ST 22 0 6 0').command).toBe('OK');
    expect(f.rapi('GD').params).toEqual(['22', '0', '6', '0']);
    expect(f.rapi('ST 5 0 5 0').command).toBe('NK');
  });

  it('$FF G 0 disables the ground check and $GE shows flag 0x0008', () => {
    const f = bootedStation();
    f.rapi('FF G 0');
    expect(f.rapi('GE').params[1]).toBe('0009');
    f.rapi('FF G 1');
    expect(f.rapi('GE').params[1]).toBe('0001');
  });

  it('$GU reports session Ws and total Wh; the session joins the total when the EV leaves', () => {
    const f = bootedStation({ ev: { maxCurrent: 16 } });
    plugAndCharge(f);
    f.clock.advance(900_000); // 15 min at 3.84 kW ≈ 960 Wh
    f.station.ev.unplug();
    f.clock.advance(100);
    const [ws, wh] = f.rapi('GU').params.map(Number);
    expect(ws).toBeGreaterThan(240 * 16 * 899 * 0.99);
    expect(wh).toBe(Math.floor(ws / 3600));
  });
});

describe('RAPI command processor: notifications', () => {
  it('sends $AT on each state change of a charge: B, then C, then A', () => {
    const f = bootedStation();
    f.clock.advance(100);
    const from = f.frames.length;
    plugAndCharge(f);
    f.clock.advance(1000);
    f.station.ev.unplug();
    f.clock.advance(100);
    const states = f.sent('AT', from).map((a) => a.params[0]);
    expect(states[0]).toBe('02');
    expect(states).toContain('03');
    expect(states[states.length - 1]).toBe('01');
    // The 4th field is the vflag word: relay closed (0x0040) and EV connected (0x0100) while charging.
    const charging = f.sent('AT', from).find((a) => a.params[0] === '03');
    expect(charging?.params[3]).toBe('0140');
  });

  it('a $SC that changes the offer sends $AT after the reply, not before', () => {
    const f = bootedStation();
    f.clock.advance(100);
    const from = f.frames.length;
    f.rapi('SC 20 V');
    const words = f.frames.slice(from).map((x) => x.command);
    expect(words).toEqual(['OK', 'AT']);
    expect(f.frames[f.frames.length - 1].params[2]).toBe('20');
  });

  it('$FR reboots: a new $AB follows', () => {
    const f = bootedStation();
    f.rapi('FR');
    f.clock.advance(2000);
    expect(f.sent('AB')).toHaveLength(2);
  });
});
