// RAPI conformance: every command of seed 000 and of the OpenEVSE 8.2.3 list
// (reference §2.19) that a controller without special hardware can answer,
// with its exact reply and its $NK rules. Published vectors (reference
// §2.21, seed 000) are used verbatim where they exist.

import { describe, it, expect } from '../harness';
import { EvseState } from '../../../modules/j1772/evse-state';
import { bootedStation, plugAndCharge, type Fixture } from './station-fixture';

/** Sends raw text and returns the raw bytes the controller answered with. */
function wire(f: Fixture, text: string): string {
  const before = f.raw.text.length;
  f.station.receive(text);
  return f.raw.text.slice(before);
}

/** The reply frame alone (an $AT may follow it). */
function reply(f: Fixture, text: string): string {
  const all = wire(f, text);
  return all.slice(0, all.indexOf('\r') + 1);
}

/** The reply to a command, as "OK p1 p2" / "NK". */
function ask(f: Fixture, command: string): string {
  const r = f.rapi(command);
  return [r.command, ...r.params].join(' ');
}

/** A station in state A, settled. */
function idle(): Fixture {
  const f = bootedStation();
  f.clock.advance(300);
  return f;
}

describe('RAPI conformance: framing and $NK rules', () => {
  it('XOR, additive and no checksum are accepted; a wrong one is $NK^21', () => {
    const f = idle();
    expect(wire(f, '$GV^35\r')).toBe('$OK 8.2.3 5.2.1^2F\r');
    expect(wire(f, '$FE*AF\r')).toBe('$OK^20\r');
    expect(wire(f, '$GV\r')).toBe('$OK 8.2.3 5.2.1^2F\r');
    expect(wire(f, '$GV^34\r')).toBe('$NK^21\r');
    expect(wire(f, '$FE*AE\r')).toBe('$NK^21\r');
  });

  it('a sequence id is echoed in $OK and $NK; 00 and non-hex ids are $NK', () => {
    const f = idle();
    expect(wire(f, '$GS :2A^59\r')).toMatch(/^\$OK 01 0 01 0200 :2A\^[0-9A-F]{2}\r$/);
    expect(wire(f, '$G7 :05\r')).toMatch(/^\$NK :05\^[0-9A-F]{2}\r$/);
    expect(wire(f, '$GV :00\r')).toBe('$NK^21\r');
    expect(wire(f, '$GV :ZZ\r')).toBe('$NK^21\r');
  });

  it('31 characters after and including $ fit the 32-byte buffer; 32 are dropped without a reply', () => {
    const f = idle();
    const fits = '$FP 0 0 ' + 'x'.repeat(31 - 8);
    expect(fits).toHaveLength(31);
    expect(wire(f, fits + '\r')).toBe('$OK^20\r');
    expect(wire(f, fits + 'x\r')).toBe('');
    expect(wire(f, '$GV\r')).toBe('$OK 8.2.3 5.2.1^2F\r');
  });

  it('more than 10 tokens is $NK (sequence id not echoed); 10 are fine', () => {
    const f = idle();
    expect(wire(f, '$FP 1 2 3 4 5 6 7 8 9\r')).toBe('$OK^20\r');
    expect(wire(f, '$FP 1 2 3 4 5 6 7 8 9 0\r')).toBe('$NK^21\r');
    expect(wire(f, '$FP 1 2 3 4 5 6 7 8 9 :07\r')).toMatch(/^\$OK :07/);
  });

  it('unknown commands are $NK: $G7, $S8, $ZZ, $F9', () => {
    const f = idle();
    for (const c of ['G7', 'S8', 'ZZ', 'F9']) expect(ask(f, c)).toBe('NK');
  });

  it('commands compiled out of 8.2.3 or needing hardware we lack are $NK: $S2 $S4 $S5 $G4 $G5 $GM $GO $SM $T0 $Z0', () => {
    const f = idle();
    for (const c of ['S2 0', 'S4 1', 'S5 A', 'G4', 'G5', 'GM', 'GO', 'SM 1 1', 'T0 10', 'Z0 100 255']) expect(ask(f, c)).toBe('NK');
  });

  it('a parameter on a parameterless command is $NK', () => {
    const f = idle();
    for (const c of ['GS 1', 'GV x', 'GE 0', 'FE 1', 'FS 1', 'FD 1', 'FR 1', 'F1 1', 'G0 1', 'GU 1', 'GY 1']) expect(ask(f, c)).toBe('NK');
    expect(f.station.controller.state).toBe(EvseState.A);
  });

  it('$AT is never inside a reply: every frame on the wire is whole, and a change sends OK then AT', () => {
    const f = idle();
    plugAndCharge(f);
    for (const c of ['SC 20 V', 'GS', 'FS', 'FE', 'SC 16', 'GG', 'F1', 'F1', 'SY 5 6', 'GU']) {
      f.rapi(c);
      f.clock.advance(300);
    }
    f.station.ev.unplug();
    f.clock.advance(500);
    const lines = f.raw.text.split('\r');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line).toMatch(/^\$(OK|NK|AT|AB)( [^ $^]+)*\^[0-9A-F]{2}$/);
    const from = f.frames.length;
    f.rapi('SC 10 V');
    expect(f.frames.slice(from).map((x) => x.command)).toEqual(['OK', 'AT']);
  });
});

describe('RAPI conformance: functions (F)', () => {
  it('$F0 0|1 → $OK^20 (seed vectors $F0 0^42, $F0 1^43); anything else $NK', () => {
    const f = idle();
    expect(wire(f, '$F0 0^42\r')).toBe('$OK^20\r');
    expect(wire(f, '$F0 1^43\r')).toBe('$OK^20\r');
    expect(ask(f, 'F0 2')).toBe('NK');
    expect(ask(f, 'F0')).toBe('NK');
  });

  it('$FB 0…7 → $OK (seed $FB 7^37); 8 is $NK', () => {
    const f = idle();
    for (let c = 0; c <= 7; c++) expect(ask(f, `FB ${c}`)).toBe('OK');
    expect(wire(f, '$FB 7^37\r')).toBe('$OK^20\r');
    expect(ask(f, 'FB 8')).toBe('NK');
    expect(ask(f, 'FB')).toBe('NK');
  });

  it('$FP x y text → $OK (seed $FP 0 0 Hello World^32); without a position $NK', () => {
    const f = idle();
    expect(wire(f, '$FP 0 0 Hello World^32\r')).toBe('$OK^20\r');
    expect(ask(f, 'FP')).toBe('NK');
    expect(ask(f, 'FP a b text')).toBe('NK');
  });

  it('$FD^26, $FE^27, $FS^31, $FR^30 → $OK^20 and do what they say', () => {
    const f = idle();
    expect(reply(f, '$FS^31\r')).toBe('$OK^20\r');
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
    expect(reply(f, '$FD^26\r')).toBe('$OK^20\r');
    expect(f.station.controller.state).toBe(EvseState.Disabled);
    expect(reply(f, '$FE^27\r')).toBe('$OK^20\r');
    f.clock.advance(300);
    expect(f.station.controller.state).toBe(EvseState.A);
    expect(reply(f, '$FR^30\r')).toBe('$OK^20\r');
    f.clock.advance(3000);
    expect(f.sent('AB')).toHaveLength(2);
  });

  it('$F1^53 → $OK^20 (a short press)', () => {
    const f = idle();
    expect(reply(f, '$F1^53\r').startsWith('$OK^20\r')).toBe(true);
    expect(f.station.controller.state).toBe(EvseState.Sleeping);
  });
});

describe('RAPI conformance: settings (S)', () => {
  it('$S0 0|1 → $OK (no LCD); $S0 2 → $NK', () => {
    const f = idle();
    expect(wire(f, '$S0 0*F7\r')).toBe('$OK^20\r');
    expect(wire(f, '$S0 1*F8\r')).toBe('$OK^20\r');
    expect(ask(f, 'S0 2')).toBe('NK');
  });

  it('$S1 sets the RTC ($S1 24 1 15 13 30 0^44); impossible dates and wrong counts are $NK', () => {
    const f = idle();
    expect(wire(f, '$S1 24 1 15 13 30 0^44\r')).toBe('$OK^20\r');
    expect(ask(f, 'GT')).toBe('OK 24 1 15 13 30 0');
    expect(ask(f, 'S1 24 2 30 0 0 0')).toBe('NK'); // 30 February
    expect(ask(f, 'S1 24 13 1 0 0 0')).toBe('NK');
    expect(ask(f, 'S1 24 1 1 24 0 0')).toBe('NK');
    expect(ask(f, 'S1 24 1 1 0 0')).toBe('NK');
    expect(ask(f, 'GT')).toBe('OK 24 1 15 13 30 0');
  });

  it('$S3 n / $G3 and $SH n / $GH in state B; 0–255 only', () => {
    const f = idle();
    f.station.ev.requestCharge(false);
    f.station.ev.plug();
    f.clock.advance(500);
    expect(reply(f, '$S3 8^5C\r')).toBe('$OK^20\r');
    expect(reply(f, '$G3^50\r')).toMatch(/^\$OK 8\^/);
    expect(reply(f, '$SH 10^1E\r')).toBe('$OK^20\r');
    expect(reply(f, '$GH^2B\r')).toMatch(/^\$OK 10\^/);
    expect(ask(f, 'S3 256')).toBe('NK');
    expect(ask(f, 'SH -1')).toBe('NK');
    expect(ask(f, 'S3')).toBe('NK');
    // vflags 0x0010 (time limit) and 0x2000 (charge limit) show them.
    expect(Number.parseInt(f.rapi('GS').params[3], 16) & 0x2010).toBe(0x2010);
  });

  it('$SA scale offset / $GA ($SA 220 0^36); wrong counts and out-of-range are $NK', () => {
    const f = idle();
    expect(wire(f, '$SA 182 0^3D\r')).toBe('$OK^20\r');
    expect(ask(f, 'GA')).toBe('OK 182 0');
    expect(wire(f, '$SA 220 0^36\r')).toBe('$OK^20\r');
    expect(wire(f, '$GA^22\r')).toMatch(/^\$OK 220 0\^/);
    expect(ask(f, 'SA 220')).toBe('NK');
    expect(ask(f, 'SA 70000 0')).toBe('NK');
  });

  it('$SC n [V|M]: $OK n, or $NK with the current in force; bad forms $NK', () => {
    const f = idle();
    expect(reply(f, '$SC 24^12\r')).toBe('$OK 24^06\r');
    expect(reply(f, '$SC 16 V^65\r')).toMatch(/^\$OK 16\^/);
    expect(ask(f, 'GE')).toBe('OK 16 0001');
    expect(ask(f, 'SC 81')).toBe('NK 80');
    expect(ask(f, 'SC 5 V')).toBe('NK 6');
    expect(reply(f, '$SC 32 M^78\r')).toMatch(/^\$OK 32\^/);
    expect(ask(f, 'SC 40 M')).toBe('NK 32');
    expect(ask(f, 'SC')).toBe('NK');
    expect(ask(f, 'SC x')).toBe('NK');
    expect(ask(f, 'SC 16 V 1')).toBe('NK');
  });

  it('$SK n sets the Wh total ($SK 0^2C); a missing or negative value is $NK (§2.22 #3)', () => {
    const f = idle();
    expect(ask(f, 'SK 5000')).toBe('OK');
    expect(ask(f, 'GU')).toBe('OK 0 5000');
    expect(wire(f, '$SK 0^2C\r')).toBe('$OK^20\r');
    expect(ask(f, 'GU')).toBe('OK 0 0');
    expect(ask(f, 'SK')).toBe('NK');
    expect(ask(f, 'SK -5')).toBe('NK');
  });

  it('$SL 1*14, $SL 2*15, $SL A*24 → $OK', () => {
    const f = idle();
    expect(reply(f, '$SL 1*14\r')).toBe('$OK^20\r');
    expect(reply(f, '$SL 2*15\r')).toBe('$OK^20\r');
    expect(reply(f, '$SL A*24\r')).toBe('$OK^20\r');
  });

  it('$ST sh sm eh em / $GD ($ST 22 0 6 0^15, $GD^27 → $OK 0 0 0 0^20 when off)', () => {
    const f = idle();
    expect(wire(f, '$GD^27\r')).toBe('$OK 0 0 0 0^20\r');
    expect(wire(f, '$ST 22 0 6 0^15\r')).toBe('$OK^20\r');
    expect(ask(f, 'GD')).toBe('OK 22 0 6 0');
    expect(ask(f, 'ST 24 0 6 0')).toBe('NK');
    expect(ask(f, 'ST 22 0 6')).toBe('NK');
    expect(ask(f, 'ST 6 0 6 0')).toBe('NK');
    expect(wire(f, '$ST 0 0 0 0^23\r')).toBe('$OK^20\r');
    expect(ask(f, 'GD')).toBe('OK 0 0 0 0');
  });

  it('$SV mV sets the voltage $GG reports ($SV 230000^00); 0 or missing is $NK', () => {
    const f = idle();
    expect(wire(f, '$SV 230000^00\r')).toBe('$OK^20\r');
    expect(ask(f, 'GG')).toBe('OK 0 230000');
    expect(ask(f, 'SV 0')).toBe('NK');
    expect(ask(f, 'SV')).toBe('NK');
  });

  it('$SY forms: pulse, set-up, cookie 165; every form answers interval amps trigger', () => {
    const f = idle();
    expect(wire(f, '$SY^2E\r')).toMatch(/^\$OK 0 0 0\^/);
    // Nothing to acknowledge is not an error: OpenEVSE's HsAckMissedPulse returns 0 for the right cookie (issue 14, 11).
    expect(wire(f, '$SY 165^3C\r')).toMatch(/^\$OK 0 0 0\^/);
    expect(wire(f, '$SY 5 6^2D\r')).toBe('$OK 5 6 0^33\r');
    expect(ask(f, 'GY')).toBe('OK 5 6 0');
    expect(ask(f, 'SY 164')).toBe('NK 5 6 0');
    expect(ask(f, 'SY 70000 6')).toBe('NK 5 6 0');
    expect(ask(f, 'SY 1 2 3')).toBe('NK');
  });
});

describe('RAPI conformance: getters (G)', () => {
  it('$G0: 0 with no EV, 1 with one, 2 when disabled (pilot −12 V)', () => {
    const f = idle();
    expect(wire(f, '$G0^53\r')).toBe('$OK 0^30\r');
    f.station.ev.plug();
    f.clock.advance(500);
    expect(wire(f, '$G0^53\r')).toBe('$OK 1^31\r');
    f.rapi('FD');
    expect(wire(f, '$G0^53\r')).toBe('$OK 2^32\r');
  });

  it('$GC → min hwmax pilot cfgmax; $GE → amps flags(hex4)', () => {
    const f = idle();
    expect(ask(f, 'GC')).toBe('OK 6 80 32 32');
    f.rapi('SC 15 V');
    expect(ask(f, 'GC')).toBe('OK 6 80 15 32');
    expect(ask(f, 'GE')).toBe('OK 15 0001');
  });

  it('$GF → trip counts in hex ($OK 0 0 0^30 on a new station)', () => {
    const f = idle();
    expect(wire(f, '$GF^25\r')).toBe('$OK 0 0 0^30\r');
  });

  it('$GG → mA mV: 0 240000 idle, the measured current while charging', () => {
    const f = idle();
    expect(ask(f, 'GG')).toBe('OK 0 240000');
    plugAndCharge(f);
    f.clock.advance(2000);
    const [mA, mV] = f.rapi('GG').params.map(Number);
    expect(Math.abs(mA - 32_000)).toBeLessThan(320);
    expect(mV).toBe(240000);
  });

  it('$GI → six characters and four hex digits', () => {
    const f = idle();
    expect(f.rapi('GI').params[0]).toMatch(/^[A-Z0-9]{6}[0-9A-F]{4}$/);
  });

  it('$GP → ds3231 mcp9808 tmp007 in 0.1 °C, −2560 absent', () => {
    const f = bootedStation({ temperature: 250 });
    f.clock.advance(1100);
    expect(ask(f, 'GP')).toBe('OK -2560 250 -2560');
  });

  it('$GS → state(hex2) elapsed(s) pilot(hex2) vflags(hex4), in A and in C', () => {
    const f = idle();
    expect(wire(f, '$GS^30\r')).toMatch(/^\$OK 01 0 01 0200\^/);
    plugAndCharge(f);
    f.clock.advance(125_000);
    expect(ask(f, 'GS')).toBe('OK 03 125 03 0140');
  });

  it('$GS and $AT print sleeping and disabled in lower-case hex: fe, ff', () => {
    const f = idle();
    f.rapi('FS');
    expect(f.rapi('GS').params[0]).toBe('fe');
    f.rapi('FD');
    expect(f.rapi('GS').params[0]).toBe('ff');
    expect(f.sent('AT').pop()?.params[0]).toBe('ff');
  });

  it('$GT → yy mo dd hh mm ss', () => {
    const f = idle();
    expect(f.rapi('GT').params).toHaveLength(6);
  });

  it('$GU → session Ws and total Wh', () => {
    const f = idle();
    expect(wire(f, '$GU^36\r')).toMatch(/^\$OK 0 0\^/);
  });

  it('$GV → 8.2.3 5.2.1; $GY → interval amps trigger', () => {
    const f = idle();
    expect(wire(f, '$GV^35\r')).toBe('$OK 8.2.3 5.2.1^2F\r');
    expect(ask(f, 'GY')).toBe('OK 0 0 0');
  });
});

describe('RAPI conformance: asynchronous notifications', () => {
  it('$AB 00 8.2.3^1E at boot, then $AT for state A', () => {
    const f = idle();
    expect(f.raw.text.startsWith('$AB 00 8.2.3^1E\r')).toBe(true);
    expect(f.sent('AT')[0].params).toEqual(['01', '01', '32', '0200']);
  });

  it('$AT 03 03 32 0140^35 when charging starts', () => {
    const f = idle();
    plugAndCharge(f);
    expect(f.raw.text).toContain('$AT 03 03 32 0140^35\r');
  });
});
