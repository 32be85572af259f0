// Issue 14, 1: RAPI command smuggling. Frames carry printable ASCII only, and
// that is checked where the bytes are made (encode, toBytes), not only where
// text is parsed: a character above 0x7E must never go out as its low byte
// (U+0124 as `$`, U+010D as CR).
import { describe, it, expect } from '../harness';
import { decode, encode, isParameter, toBytes } from '../../../modules/rapi/frame';

describe('RAPI frames are printable ASCII', () => {
  it('encode refuses parameters whose low byte is a frame mark or control', () => {
    for (const p of ['\u0110\u0124FD', '\u010D', 'A\u0124', '\u0100', 'caf\u00e9', '\u0000', 'a\tb', '\u007f', 'a\u0085']) {
      expect(() => encode('GS', [p])).toThrow('RAPI parameter');
    }
  });

  it('encode refuses a parameter that would read as a sequence id, or holds a frame mark', () => {
    for (const p of [':2A', '$FD', 'a^b', 'a*b', 'a b', '']) expect(() => encode('SC', [p])).toThrow('RAPI parameter');
    expect(isParameter('13')).toBe(true);
    expect(isParameter('V')).toBe(true);
    expect(isParameter('a:b')).toBe(true);
  });

  it('toBytes refuses any character outside 0x20–0x7E before the final CR (LF)', () => {
    expect(Array.from(toBytes('$GS^30\r'))).toEqual([0x24, 0x47, 0x53, 0x5e, 0x33, 0x30, 0x0d]);
    expect(Array.from(toBytes('$OK^20\r\n')).slice(-2)).toEqual([0x0d, 0x0a]);
    for (const t of ['$GS \u0124FD^00\r', '$GS\r$FD^26\r', '$GS \u0000^00\r', '$GS \u00ff\r']) {
      expect(() => toBytes(t)).toThrow('printable ASCII');
    }
  });

  it('decode refuses a frame with a character outside printable ASCII', () => {
    const r = decode('$GS \u0110\u0124FD');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe('syntax');
    expect(decode('$GS\u0007').ok).toBe(false);
    expect(decode('$GS 1').ok).toBe(true);
  });
});
