// Streaming RAPI receiver: bytes in, frames out. Used by both ends of the link
// (the controller's command processor and the gateway's client).

import { decode, type DecodeError, type Frame } from './frame';

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
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const b = typeof data === 'string' ? data.charCodeAt(i) & 0xff : data[i];
      if (b === DOLLAR) {
        // A `$` always starts a new frame, abandoning any partial one.
        this.#open = true;
        this.#overflowed = false;
        this.#length = 0;
        this.#buffer[this.#length++] = b;
      } else if (!this.#open) {
        continue; // noise between frames, LF after CR, echo
      } else if (b === CR) {
        this.#open = false;
        if (this.#overflowed) continue;
        const text = this.#text();
        const result = decode(text);
        if (result.ok) this.#onFrame(result.frame, text);
        else this.#onError?.(result.error, text);
      } else if (this.#length < this.#buffer.length) {
        this.#buffer[this.#length++] = b;
      } else if (!this.#overflowed) {
        this.#overflowed = true;
        this.#onError?.('overflow', this.#text());
      }
    }
  }

  /** Drops a partial frame (e.g. after a reconnect). */
  reset(): void {
    this.#open = false;
    this.#overflowed = false;
    this.#length = 0;
  }

  #text(): string {
    // One call instead of a concatenation per byte: the buffer is at most a few dozen bytes.
    return String.fromCharCode.apply(null, this.#buffer.subarray(0, this.#length) as unknown as number[]);
  }
}
