// Streaming RAPI receiver: bytes in, frames out. Used by both ends of the link
// (the controller's command processor and the gateway's client).

import { decode, type DecodeError, type DecodeResult, type Frame } from './frame';

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

const CR = 0x0d;
const DOLLAR = 0x24;
const CARET = 0x5e;
const STAR = 0x2a;

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
}

// On XS every bytecode counts (a bare loop turn costs about 11 computrons), so
// bytes are found and copied with the typed array's own indexOf and set, and
// only the checksum is a loop of our own.
export class FrameParser {
  readonly #buffer: Uint8Array;
  readonly #onFrame: ParserOptions['onFrame'];
  readonly #onError: ParserOptions['onError'];
  #length = 0;
  /** Inside a frame (a `$` was seen and no CR yet). */
  #open = false;
  /** The current frame overflowed; discard until the next `$`. */
  #overflowed = false;

  constructor(options: ParserOptions) {
    const size = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isInteger(size) || size < 4) throw new RangeError(`RAPI buffer size must be an integer ≥ 4: ${size}`);
    this.#buffer = new Uint8Array(size - 1);
    this.#onFrame = options.onFrame;
    this.#onError = options.onError;
  }

  /** Feeds received bytes (or an ASCII string). Never throws on garbage. */
  receive(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? asciiBytes(data) : data;
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (!this.#open) {
        // Noise between frames, LF after CR, echo: skipped up to the next `$`.
        const start = bytes.indexOf(DOLLAR, i);
        if (start < 0) return;
        // A `$` always starts a new frame, abandoning any partial one.
        this.#open = true;
        this.#overflowed = false;
        this.#buffer[0] = DOLLAR;
        this.#length = 1;
        i = start + 1;
      }
      const cr = bytes.indexOf(CR, i);
      const dollar = bytes.indexOf(DOLLAR, i);
      let stop = cr < 0 ? n : cr;
      if (dollar >= 0 && dollar < stop) stop = dollar;
      if (stop > i) this.#append(bytes, i, stop);
      i = stop;
      if (stop === n) return; // the frame goes on in a later chunk
      this.#open = false;
      if (stop === dollar) continue; // a new frame, opened on the next turn
      i++;
      if (!this.#overflowed) this.#finish();
    }
  }

  /** Drops a partial frame (e.g. after a reconnect). */
  reset(): void {
    this.#open = false;
    this.#overflowed = false;
    this.#length = 0;
  }

  #append(bytes: Uint8Array, from: number, to: number): void {
    if (this.#overflowed) return;
    const buffer = this.#buffer;
    const length = this.#length;
    const room = buffer.length - length;
    const count = to - from;
    buffer.set(count <= room ? bytes.subarray(from, to) : bytes.subarray(from, from + room), length);
    if (count <= room) {
      this.#length = length + count;
      return;
    }
    this.#length = buffer.length;
    this.#overflowed = true;
    this.#onError?.('overflow', this.#text());
  }

  #finish(): void {
    const buffer = this.#buffer;
    const length = this.#length;
    const text = this.#text();
    const caret = length - 3;
    let result: DecodeResult | undefined;
    if (caret > 0 && buffer[caret] === CARET) {
      // The usual frame: one `^`, two hex digits, no `*`. Its XOR is taken
      // here over the bytes, and decode() gets only the body, so it does not
      // count it again; any other frame goes to decode() whole.
      // Any other `^` or `*` before it: the engine's indexOf finds it; then the XOR, four bytes a turn.
      const head = buffer.subarray(0, caret);
      if (head.indexOf(CARET) < 0 && head.indexOf(STAR) < 0) {
        let xor = 0;
        let j = 0;
        for (const end4 = caret - 3; j < end4; j += 4) xor ^= buffer[j] ^ buffer[j + 1] ^ buffer[j + 2] ^ buffer[j + 3];
        for (; j < caret; j++) xor ^= buffer[j];
        const hi = hexDigit(buffer[caret + 1]);
        const lo = hexDigit(buffer[caret + 2]);
        if (hi >= 0 && lo >= 0 && hi * 16 + lo === xor) {
          result = decode(text.slice(0, caret));
          if (result.ok) result.frame.checksum = 'xor';
        } else result = { ok: false, error: 'checksum' };
      }
    }
    result ??= decode(text);
    if (result.ok) this.#onFrame(result.frame, text);
    else this.#onError?.(result.error, text);
  }

  #text(): string {
    // One call instead of a concatenation per byte: the buffer is at most a few dozen bytes.
    return String.fromCharCode.apply(null, this.#buffer.subarray(0, this.#length) as unknown as number[]);
  }
}

/** A string's characters as bytes (their low byte, as a UART would carry them). */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
