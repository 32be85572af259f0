// Streaming RAPI receiver: bytes in, frames out. Used by both ends of the link
// (the controller's command processor and the gateway's client).

import { decode, decodeBody, type DecodeError, type DecodeResult, type Frame } from './frame';

/** OpenEVSE's controller buffer (ESRAPI_BUFLEN): `$` + 30 characters + terminator. */
export const DEFAULT_BUFFER_SIZE = 32;

export interface ParserOptions {
  /**
   * Receive buffer in bytes, counted like OpenEVSE's: a frame of up to
   * bufferSize − 1 characters from `$` to just before the CR fits.
   */
  bufferSize?: number;
  onFrame(frame: Frame, text: string): void;
  /** A frame was dropped; `text` is what had been received of it. */
  onError?(error: DecodeError, text: string): void;
}

const CARET = 0x5e;

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
}

// On XS every bytecode counts (a bare loop turn costs about 11 computrons)
// and a typed array's indexOf is metered per element, a string's is not: a
// chunk is read as a string (one call), frames are found and collected with
// the string's own indexOf and slice, and only the checksum is a loop of
// ours, over the chunk's bytes when the frame came in one chunk.
// test/cases/rapi/parser-equivalence.case.ts holds this to the byte-by-byte
// definition over random streams cut into random chunks.
export class FrameParser {
  /** Characters a frame may have, `$` included (bufferSize − 1). */
  readonly #max: number;
  /**
   * Kept whole, its callbacks called as its methods: a class can hand itself
   * (or a small options class) instead of arrows capturing `this`, whose
   * closures and environment held slots on the device's heap (docs/moddable.md).
   */
  readonly #options: ParserOptions;
  /** The frame so far, from its `$`. */
  #text = '';
  /** Inside a frame (a `$` was seen and no CR yet). */
  #open = false;
  /** The current frame overflowed; discard until the next `$`. */
  #overflowed = false;
  /** Where the open frame's `$` is in the chunk being read (-1: it began in an earlier chunk). */
  #start = -1;

  constructor(options: ParserOptions) {
    const size = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isInteger(size) || size < 4) throw new RangeError(`RAPI buffer size must be an integer ≥ 4: ${size}`);
    this.#max = size - 1;
    this.#options = options;
  }

  /** Feeds received bytes (or an ASCII string). Never throws on garbage. */
  receive(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? asciiBytes(data) : data;
    const n = bytes.length;
    if (n === 0) return;
    // Each byte one character, at the same index.
    const chunk = latin1(bytes);
    this.#start = -1;
    let i = 0;
    while (i < n) {
      if (!this.#open) {
        // Noise between frames, LF after CR, echo: skipped up to the next `$`.
        const start = chunk.indexOf('$', i);
        if (start < 0) return;
        // A `$` always starts a new frame, abandoning any partial one.
        this.#open = true;
        this.#overflowed = false;
        this.#text = '$';
        this.#start = start;
        i = start + 1;
      }
      const cr = chunk.indexOf('\r', i);
      const dollar = chunk.indexOf('$', i);
      let stop = cr < 0 ? n : cr;
      if (dollar >= 0 && dollar < stop) stop = dollar;
      if (stop > i) this.#append(chunk, i, stop);
      i = stop;
      if (stop === n) return; // the frame goes on in a later chunk
      this.#open = false;
      if (stop === dollar) continue; // a new frame, opened on the next turn
      i++;
      if (!this.#overflowed) this.#finish(bytes);
    }
  }

  /** Drops a partial frame (e.g. after a reconnect). */
  reset(): void {
    this.#open = false;
    this.#overflowed = false;
    this.#text = '';
  }

  #append(chunk: string, from: number, to: number): void {
    if (this.#overflowed) return;
    const room = this.#max - this.#text.length;
    if (to - from <= room) {
      this.#text += chunk.slice(from, to);
      return;
    }
    this.#text += chunk.slice(from, from + room);
    this.#overflowed = true;
    this.#options.onError?.('overflow', this.#text);
  }

  #finish(bytes: Uint8Array): void {
    const text = this.#text;
    const caret = text.length - 3;
    let result: DecodeResult | undefined;
    // The usual frame: one `^`, two hex digits, no `*`. Its XOR is taken here
    // and decode() gets only the body, so it does not count it again; any
    // other frame goes to decode() whole.
    if (caret > 0 && text.charCodeAt(caret) === CARET && text.indexOf('^') === caret && text.indexOf('*') < 0) {
      let xor = 0;
      let j = 0;
      const from = this.#start;
      if (from >= 0) {
        // The frame came in this chunk: its bytes, four a turn.
        for (const end4 = caret - 3; j < end4; j += 4) xor ^= bytes[from + j] ^ bytes[from + j + 1] ^ bytes[from + j + 2] ^ bytes[from + j + 3];
        for (; j < caret; j++) xor ^= bytes[from + j];
      } else for (; j < caret; j++) xor ^= text.charCodeAt(j);
      const hi = hexDigit(text.charCodeAt(caret + 1));
      const lo = hexDigit(text.charCodeAt(caret + 2));
      if (hi >= 0 && lo >= 0 && hi * 16 + lo === xor) {
        result = decodeBody(text.slice(0, caret), 'xor');
      } else result = { ok: false, error: 'checksum' };
    }
    result ??= decode(text);
    if (result.ok) this.#options.onFrame(result.frame, text);
    else this.#options.onError?.(result.error, text);
  }
}

/**
 * Characters a call of `String.fromCharCode.apply` is given at most: each
 * is a slot on the XS stack, and the ESP32 build has 640 (docs/moddable.md),
 * so no more than the 100 the first parser gave it for a whole frame.
 */
const APPLY_CHUNK = 64;

/** Bytes as a string of the characters with those codes (one call per APPLY_CHUNK bytes). */
function latin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= APPLY_CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let k = 0; k < n; k += APPLY_CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(k, k + APPLY_CHUNK) as unknown as number[]);
  return s;
}

/** A string's characters as bytes (their low byte, as a UART would carry them). */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
