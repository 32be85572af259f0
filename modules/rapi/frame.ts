// RAPI frames: `$cc p1 p2 :ss^xk\r`. Checksums, sequence ids, encoding, and
// decoding of one complete frame. The streaming side is parser.ts.

export type ChecksumKind = 'xor' | 'sum' | 'none';

export interface Frame {
  /** The two-letter command or reply word after `$`: "GS", "OK", "AT". */
  command: string;
  params: string[];
  /** 1–255, echoed in the reply; absent when the sender gave none. */
  seq?: number;
  checksum: ChecksumKind;
}

export type DecodeError =
  /** No `$`, or no command word. */
  | 'syntax'
  /** `^xk` / `*xk` present but wrong, or not two hex digits. */
  | 'checksum'
  /** `:ss` not two hex digits, or 00 (reserved as invalid). */
  | 'sequence'
  /** Longer than the receiver's buffer. */
  | 'overflow';

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: DecodeError };

/** 8-bit XOR of every character (the `^` checksum). */
export function xorChecksum(text: string): number {
  let x = 0;
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i) & 0xff;
  return x;
}

/** 8-bit sum of every character (the legacy `*` checksum). */
export function sumChecksum(text: string): number {
  let s = 0;
  for (let i = 0; i < text.length; i++) s = (s + (text.charCodeAt(i) & 0xff)) & 0xff;
  return s;
}

export function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20; // fold to lower case
  return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
}

/** Parses exactly two hex digits, either case; -1 otherwise. */
function parseHex2(text: string): number {
  if (text.length !== 2) return -1;
  const hi = hexDigit(text.charCodeAt(0));
  const lo = hexDigit(text.charCodeAt(1));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

export interface EncodeOptions {
  seq?: number;
  /** Default "xor", the recommended form. */
  checksum?: ChecksumKind;
}

/**
 * A parameter is one or more printable ASCII characters (0x21–0x7E) other
 * than the frame's own marks `$`, `^` and `*`, and does not start with `:`
 * (which would read as a sequence id). Tested on the character codes, not
 * with a regular expression class: a code above 0x7E must never pass, since
 * only its low byte would reach the wire (U+0124 → `$`, U+010D → CR).
 */
export function isParameter(s: string): boolean {
  if (s.length === 0 || s.charCodeAt(0) === 0x3a /* : */) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x24 /* $ */ || c === 0x5e /* ^ */ || c === 0x2a /* * */) return false;
  }
  return true;
}

/**
 * `$` + command + params (+ ` :ss`) + checksum + CR. Throws on a command that
 * is not two letters or digits, a parameter that is not printable ASCII or
 * holds a space, `$`, `^` or `*` (see isParameter), or a sequence id outside
 * 1–255.
 */
export function encode(command: string, params: readonly (string | number)[] = [], options: EncodeOptions = {}): string {
  if (!/^[A-Za-z0-9]{2}$/.test(command)) throw new RangeError(`RAPI command must be two letters or digits: ${JSON.stringify(command)}`);
  let body = '$' + command;
  for (const p of params) {
    const s = String(p);
    if (!isParameter(s)) throw new RangeError(`RAPI parameter ${JSON.stringify(s)} is empty, not printable ASCII, or contains a separator`);
    body += ' ' + s;
  }
  if (options.seq !== undefined) {
    if (!Number.isInteger(options.seq) || options.seq < 1 || options.seq > 255) {
      throw new RangeError(`RAPI sequence id must be 1–255 (00 is reserved): ${options.seq}`);
    }
    body += ' :' + hex2(options.seq);
  }
  const kind = options.checksum ?? 'xor';
  if (kind === 'xor') body += '^' + hex2(xorChecksum(body));
  else if (kind === 'sum') body += '*' + hex2(sumChecksum(body));
  return body + '\r';
}

/**
 * A frame's text as the bytes that go on the wire. RAPI is printable ASCII
 * (0x20–0x7E) ended by CR (and LF in echo mode); anything else throws, so no
 * caller can put a control byte or a character whose low byte is a `$` or a
 * CR onto the link, whatever it checked before.
 */
export function toBytes(text: string): Uint8Array {
  const n = text.length;
  let end = n;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x0d || text.charCodeAt(end - 1) === 0x0a)) end--;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (i < end ? c < 0x20 || c > 0x7e : c !== 0x0d && c !== 0x0a) {
      throw new RangeError(`RAPI frames are printable ASCII: character ${c} at ${i}`);
    }
    out[i] = c;
  }
  return out;
}

/**
 * Decodes one frame: the text from `$` up to, not including, the CR.
 * Never throws.
 */
export function decode(text: string): DecodeResult {
  if (text.charCodeAt(0) !== 0x24 /* $ */) return { ok: false, error: 'syntax' };
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
  // Printable ASCII only (after the checksum, which a receiver checks first):
  // a frame typed into /r or MQTT may hold any character.
  for (let i = 1; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return { ok: false, error: 'syntax' };
  }
  const tokens = body.slice(1).split(' ').filter((t) => t !== '');
  if (tokens.length === 0 || tokens[0].length !== 2) return { ok: false, error: 'syntax' };
  let seq: number | undefined;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && last.charCodeAt(0) === 0x3a /* : */) {
    seq = parseHex2(last.slice(1));
    if (seq <= 0) return { ok: false, error: 'sequence' };
    tokens.pop();
  }
  const frame: Frame = { command: tokens[0].toUpperCase(), params: tokens.slice(1), checksum };
  if (seq !== undefined) frame.seq = seq;
  return { ok: true, frame };
}
