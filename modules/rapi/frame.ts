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

/** 1 for the characters a parameter may hold (isParameter), by code. */
const PARAM_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x21; c <= 0x7e; c++) t[c] = 1;
  t[0x24] = t[0x5e] = t[0x2a] = 0; // $ ^ *
  return t;
})();

/** 1 for the characters a command word may hold (letters and digits), by code. */
const WORD_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = t[c + 0x20] = 1;
  return t;
})();

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
  for (let i = 0, n = s.length; i < n; i++) if (PARAM_CHARS[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * `$` + command + params (+ ` :ss`) + checksum + CR. Throws on a command that
 * is not two letters or digits, a parameter that is not printable ASCII or
 * holds a space, `$`, `^` or `*` (see isParameter), or a sequence id outside
 * 1–255.
 */
export function encode(command: string, params: readonly (string | number)[] = [], options: EncodeOptions = {}): string {
  if (command.length !== 2 || WORD_CHARS[command.charCodeAt(0)] !== 1 || WORD_CHARS[command.charCodeAt(1)] !== 1) throw new RangeError(`RAPI command must be two letters or digits: ${JSON.stringify(command)}`);
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

/** The codes of the upper-case hex digits, as hex2 writes them. */
const HEX_CODES: readonly number[] = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46];

/**
 * `toBytes(encode(command, params, options))` in one pass: the bytes are
 * written as the characters are checked, and the checksum is taken over the
 * bytes. On XS every character costs a call and a few bytecodes per pass,
 * and the string route made four passes (check, checksum, check again,
 * copy). Throws what `encode` throws (the error is `encode`'s own);
 * test/cases/rapi/encode-bytes.case.ts holds the two to the same answers.
 */
export function encodeBytes(command: string, params: readonly (string | number)[] = [], options: EncodeOptions = {}): Uint8Array {
  const c0 = command.charCodeAt(0);
  const c1 = command.charCodeAt(1);
  const seq = options.seq;
  const kind = options.checksum ?? 'xor';
  const n = params.length;
  const texts: string[] = [];
  let length = 3;
  let valid = command.length === 2 && WORD_CHARS[c0] === 1 && WORD_CHARS[c1] === 1;
  for (let i = 0; i < n; i++) {
    const t = String(params[i]);
    texts.push(t);
    length += 1 + t.length;
    if (t.length === 0 || t.charCodeAt(0) === 0x3a /* : */) valid = false;
  }
  if (seq !== undefined) {
    if (!(seq >= 1 && seq <= 255 && (seq | 0) === seq)) valid = false; // Number.isInteger, within 1–255
    length += 4;
  }
  // A bad command or parameter: encode() says which, in its words.
  if (!valid) return toBytes(encode(command, params, options));
  if (kind === 'xor' || kind === 'sum') length += 3;
  const out = new Uint8Array(length + 1);
  out[0] = 0x24;
  out[1] = c0;
  out[2] = c1;
  // The XOR is taken on the way (a space is 0x20; the sum, rarely asked for, in a pass of its own).
  let x = 0x24 ^ c0 ^ c1;
  let k = 3;
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    out[k++] = 0x20;
    x ^= 0x20;
    for (let j = 0, m = t.length; j < m; j++) {
      const c = t.charCodeAt(j);
      if (PARAM_CHARS[c] !== 1) return toBytes(encode(command, params, options));
      out[k++] = c;
      x ^= c;
    }
  }
  if (seq !== undefined) {
    const hi = HEX_CODES[seq >> 4];
    const lo = HEX_CODES[seq & 15];
    out[k++] = 0x20;
    out[k++] = 0x3a;
    out[k++] = hi;
    out[k++] = lo;
    x ^= 0x20 ^ 0x3a ^ hi ^ lo;
  }
  if (kind === 'xor' || kind === 'sum') {
    if (kind === 'sum') {
      x = 0;
      for (let j = 0; j < k; j++) x = (x + out[j]) & 0xff;
    }
    out[k++] = kind === 'xor' ? 0x5e : 0x2a;
    out[k++] = HEX_CODES[x >> 4];
    out[k++] = HEX_CODES[x & 15];
  }
  out[k] = 0x0d;
  return out;
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
  return decodeBody(body, checksum);
}

/**
 * decode() of a frame's body (from `$` up to its checksum mark, with no `^`
 * or `*` in it) whose checksum, of the kind given, has been checked already:
 * the parser checks the usual `^` over the bytes as they arrive.
 */
export function decodeBody(body: string, checksum: ChecksumKind): DecodeResult {
  // Printable ASCII only (after the checksum, which a receiver checks first):
  // a frame typed into /r or MQTT may hold any character.
  // (A regular expression: the engine's own scan, where a loop of ours costs a call per character on XS.
  // A literal here, not a module constant: XS 8.2.3 crashes executing a RegExp preloaded in flash.)
  if (/[^\x20-\x7e]/.test(body)) return { ok: false, error: 'syntax' };
  // One space between tokens, as every sender writes them, splits as it is; anything else drops the empty tokens.
  const tokens = body.indexOf('  ') < 0 && body.charCodeAt(body.length - 1) !== 0x20 && body.charCodeAt(1) !== 0x20 ? body.slice(1).split(' ') : body.slice(1).split(' ').filter((t) => t !== '');
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
