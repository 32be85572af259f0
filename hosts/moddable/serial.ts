// A RAPI byte link over an ECMA-419 UART: bytes in go to a receiver (the
// gateway's RAPI client or the controller's command processor), bytes out are
// queued and written as the transmit FIFO has room, so a burst of replies is
// never dropped by a full FIFO.

import Serial from 'embedded:io/serial';
import type { ByteSink } from '../../modules/ports';
import type { LinuxSerialOptions } from '../../types/moddable/sdk';

export type UartOptions =
  /** ESP32: a UART number and its pins. */
  | { port: number; receive: number; transmit: number; baud: number }
  /** Simulator on Linux: a tty device (a USB adapter to a real controller). */
  | { device: string; baud: number };

export class UartLink implements ByteSink {
  readonly #serial: Serial;
  #receiver?: (bytes: Uint8Array) => void;
  #queue: Uint8Array[] = [];
  #offset = 0;
  #writable = 0;

  constructor(options: UartOptions) {
    const link = this;
    const callbacks = {
      format: 'buffer' as const,
      onReadable(this: Serial, count: number) {
        const data = this.read(count);
        if (data && link.#receiver) link.#receiver(new Uint8Array(data));
      },
      onWritable(this: Serial, count: number) {
        link.#writable = count;
        link.#drain();
      },
    };
    this.#serial =
      'device' in options
        ? new Serial({ ...(options satisfies LinuxSerialOptions), ...callbacks } as unknown as ConstructorParameters<typeof Serial>[0])
        : new Serial({ ...options, ...callbacks });
  }

  onReceive(receiver: (bytes: Uint8Array) => void): void {
    this.#receiver = receiver;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#queue.push(bytes.slice());
    this.#drain();
  }

  close(): void {
    this.#serial.close();
    this.#queue = [];
  }

  #drain(): void {
    // Without an announced count (before the first onWritable) a write is
    // simply tried: the UART throws rather than take part of a buffer.
    while (this.#queue.length) {
      const head = this.#queue[0];
      let chunk = head.subarray(this.#offset);
      if (this.#writable > 0 && chunk.length > this.#writable) chunk = chunk.subarray(0, this.#writable);
      try {
        // An ArrayBuffer, exactly: the Linux serial takes nothing else (an ESP32 UART takes either).
        this.#serial.write(chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk.buffer : chunk.slice().buffer);
      } catch {
        this.#writable = 0;
        return;
      }
      this.#writable = Math.max(0, this.#writable - chunk.length);
      this.#offset += chunk.length;
      if (this.#offset === head.length) {
        this.#queue.shift();
        this.#offset = 0;
      }
    }
  }
}
