// A UART (or pseudo-terminal) through the `serialport` package, as a
// ByteSink plus a receiver: what the RAPI client and the controller's
// command processor need on a host.
//
// On Linux and macOS the port's file descriptor is read and written directly
// once the binding's poller says it is ready: serialport's stream does every
// read and write as a thread-pool round trip (and a failed read before each
// wait), which adds a few hundred microseconds to every RAPI exchange, a
// tenth of the exchange's own time on a 115200-baud wire. serialport still
// opens, configures (baud rate, 8N1, raw) and closes the port, and writes
// that would block go through its stream, in order.

import { readSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { ByteSink } from '../../modules/ports';

/** What the Unix binding of serialport 13 exposes and the direct path uses. */
interface UnixBinding {
  fd: number | null;
  poller: {
    on(event: 'readable', callback: (error: Error | null) => void): unknown;
    off(event: 'readable', callback: (error: Error | null) => void): unknown;
    /** Arms the native poller for one event (bindings-cpp: 1 = readable). */
    poll(events: number): void;
  };
}

function unixBinding(port: SerialPort): UnixBinding | undefined {
  const b = (port as unknown as { port?: Partial<UnixBinding> }).port;
  return b && typeof b.fd === 'number' && typeof b.poller?.on === 'function' && typeof b.poller?.poll === 'function' ? (b as UnixBinding) : undefined;
}

/** bindings-cpp's poller event flag for "readable". */
const UV_READABLE = 1;

function errno(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

export interface SerialLinkOptions {
  /** Read and write the descriptor directly where the platform allows (default true). */
  direct?: boolean;
}

export class SerialLink implements ByteSink {
  readonly port: SerialPort;
  #receiver?: (bytes: Uint8Array) => void;
  readonly #binding?: UnixBinding;
  readonly #buffer = Buffer.allocUnsafe(4096);
  /** Writes handed to the stream and not yet written: later writes must queue behind them. */
  #queued = 0;

  private constructor(port: SerialPort, direct: boolean) {
    this.port = port;
    this.#binding = direct ? unixBinding(port) : undefined;
    if (this.#binding) {
      // One listener for the port's life, the poller armed again after each read: `once` would make and drop a wrapper per exchange.
      this.#binding.poller.on('readable', this.#readable);
      this.#pump();
    }
    else port.on('data', (chunk: Buffer) => this.#receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  }

  /** Opens `path` at `baudRate` 8N1 (RAPI: 115200). */
  static open(path: string, baudRate = 115200, options: SerialLinkOptions = {}): Promise<SerialLink> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new SerialLink(port, options.direct ?? true))));
    });
  }

  /** true when reads and writes bypass serialport's stream. */
  get direct(): boolean {
    return this.#binding !== undefined;
  }

  onReceive(receiver: (bytes: Uint8Array) => void): void {
    this.#receiver = receiver;
  }

  write(bytes: Uint8Array): void {
    const b = this.#binding;
    let rest = bytes;
    if (b && b.fd !== null && this.#queued === 0) {
      try {
        const n = writeSync(b.fd, bytes);
        if (n === bytes.length) return;
        rest = bytes.subarray(n);
      } catch (e) {
        if (errno(e) !== 'EAGAIN') throw e;
      }
    }
    // The driver's buffer is full (or the direct path is off): let the stream wait for room.
    this.#queued++;
    this.port.write(Buffer.from(rest), () => this.#queued--);
  }

  readonly #readable = (error: Error | null) => {
    if (!error) this.#pump();
  };

  /** Reads whatever is there, then waits for the poller to say there is more. */
  #pump(): void {
    const b = this.#binding!;
    for (;;) {
      if (b.fd === null) return;
      let n: number;
      try {
        n = readSync(b.fd, this.#buffer, 0, this.#buffer.length, null);
      } catch (e) {
        if (errno(e) === 'EAGAIN') break;
        return; // closed or gone; serialport reports it through its own events
      }
      if (n === 0) break;
      // A copy: the receiver may keep the bytes, the buffer is reused.
      this.#receiver?.(Uint8Array.prototype.slice.call(this.#buffer, 0, n));
      // A short read took everything there was: asking again would only fail
      // with EAGAIN, and a thrown error costs more than the read (the poller
      // says so if more came meanwhile).
      if (n < this.#buffer.length) break;
    }
    b.poller.poll(UV_READABLE);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => {
        this.#binding?.poller.off('readable', this.#readable);
        resolve();
      });
    });
  }
}
