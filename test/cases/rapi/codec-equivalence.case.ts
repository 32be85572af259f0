// frame.ts has two shortcuts taken for the XS meter: encodeBytes() writes a
// frame's bytes in one pass instead of encode() then toBytes(), and decode()
// checks printable ASCII with a regular expression and splits on single
// spaces without filtering. This holds each to its definition: encodeBytes
// to toBytes(encode(…)) (the same bytes, or the same error), decode to the
// character-by-character version it replaced, over random commands,
// parameters, sequence ids, checksums and texts. Deterministic, so the same
// on XS and Node.
import { describe, expect, it } from '../harness';
import { decode, encode, encodeBytes, sumChecksum, toBytes, xorChecksum, type ChecksumKind, type DecodeResult, type Frame } from '../../../modules/rapi/frame';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function parseHex2(text: string): number {
  return /^[0-9a-fA-F]{2}$/.test(text) ? parseInt(text, 16) : -1;
}

/** decode() as first written: a loop over the characters, and empty tokens filtered out. */
function definition(text: string): DecodeResult {
  if (text.charCodeAt(0) !== 0x24) return { ok: false, error: 'syntax' };
  let body = text;
  let checksum: ChecksumKind = 'none';
  const caret = text.lastIndexOf('^');
  const star = text.lastIndexOf('*');
  const mark = Math.max(caret, star);
  if (mark > 0) {
    body = text.slice(0, mark);
    const given = parseHex2(text.slice(mark + 1));
    checksum = mark === caret ? 'xor' : 'sum';
    const expected = checksum === 'xor' ? xorChecksum(body) : sumChecksum(body);
    if (given !== expected) return { ok: false, error: 'checksum' };
  }
  for (let i = 1; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return { ok: false, error: 'syntax' };
  }
  const tokens = body.slice(1).split(' ').filter((t) => t !== '');
  if (tokens.length === 0 || tokens[0].length !== 2) return { ok: false, error: 'syntax' };
  let seq: number | undefined;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && last.charCodeAt(0) === 0x3a) {
    seq = parseHex2(last.slice(1));
    if (seq <= 0) return { ok: false, error: 'sequence' };
    tokens.pop();
  }
  const frame: Frame = { command: tokens[0].toUpperCase(), params: tokens.slice(1), checksum };
  if (seq !== undefined) frame.seq = seq;
  return { ok: true, frame };
}

function outcome(f: () => Uint8Array): string {
  try {
    return Array.from(f()).join(',');
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const PIECES = ['0', '03', '125', '0140', '-2560', 'V', 'M', 'a', 'ff', '31999', '240000', '', ' ', ':', ':2A', '$', '^', '*', 'é', '\u0124', '\r', 'A B', '~', '!', '0.5', 'NaN'];
const COMMANDS = ['GS', 'OK', 'NK', 'SC', 'gs', 'S1', 'G0', 'AT', 'G', 'GSX', '$G', 'G ', '', '0k', 'Ö1'];

describe('RAPI codec shortcuts hold to their definitions', () => {
  it('encodeBytes gives the bytes of toBytes(encode(…)), or the same error, for 4 000 random frames', () => {
    const r = random(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    let thrown = 0;
    for (let i = 0; i < 4000; i++) {
      const command = pick(COMMANDS);
      const params: (string | number)[] = [];
      const n = Math.floor(r() * 5);
      for (let k = 0; k < n; k++) params.push(r() < 0.3 ? Math.floor(r() * 100_000) - 3000 : r() < 0.1 ? pick(PIECES) + pick(PIECES) : pick(PIECES));
      const seqRoll = r();
      const seq = seqRoll < 0.4 ? undefined : seqRoll < 0.9 ? 1 + Math.floor(r() * 255) : pick([0, 256, 1.5, -1]);
      const checksum = pick<ChecksumKind | undefined>([undefined, 'xor', 'xor', 'sum', 'none']);
      const options = { seq, checksum };
      const want = outcome(() => toBytes(encode(command, params, options)));
      const got = outcome(() => encodeBytes(command, params, options));
      if (got !== want) throw new Error(`${JSON.stringify([command, params, options])}: ${got} instead of ${want}`);
      if (want.includes(':')) thrown++;
    }
    // Both kinds of outcome were tried often.
    expect(thrown).toBeGreaterThan(500);
    expect(thrown).toBeLessThan(3500);
  });

  it('decode gives the same result as the character-by-character definition for 6 000 random texts', () => {
    const r = random(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const CHARS = ['$', ' ', ' ', '  ', 'G', 'S', 'o', 'k', '0', '3', 'F', ':', '^', '*', '\t', '\u007f', 'é', '2A', ':00', ':2a'];
    let ok = 0;
    for (let i = 0; i < 6000; i++) {
      let text: string;
      if (r() < 0.5) {
        // A well-formed frame, then perhaps spoiled.
        const params = ['03', '125', 'V', '0140'].slice(0, Math.floor(r() * 5));
        text = encode(pick(['GS', 'OK', 'SC', 'AT']), params, { seq: r() < 0.5 ? 1 + Math.floor(r() * 255) : undefined, checksum: pick<ChecksumKind>(['xor', 'sum', 'none']) }).slice(0, -1);
        if (r() < 0.5) {
          const at = Math.floor(r() * (text.length + 1));
          text = text.slice(0, at) + pick(CHARS) + text.slice(at + (r() < 0.5 ? 1 : 0));
        }
      } else {
        text = '$';
        const n = Math.floor(r() * 12);
        for (let k = 0; k < n; k++) text += pick(CHARS);
      }
      const want = JSON.stringify(definition(text));
      const got = JSON.stringify(decode(text));
      if (got !== want) throw new Error(`${JSON.stringify(text)}: ${got} instead of ${want}`);
      if (want.startsWith('{"ok":true')) ok++;
    }
    expect(ok).toBeGreaterThan(1500);
    expect(ok).toBeLessThan(5000);
  });
});
