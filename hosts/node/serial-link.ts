// A UART (or pseudo-terminal) through the `serialport` package, as a
// ByteSink plus a receiver: what the RAPI client and the controller's
// command processor need on a host.
//
// serialport opens, configures (baud rate, 8N1, raw), locks and closes the
// port. On Linux and macOS the bytes do not go through its stream, which does
// every read and write as a thread-pool round trip (a few hundred µs an
// exchange). By default ("tty") the link opens the device a second time
// and reads that descriptor with a libuv tty handle (`tty.ReadStream`): the
// descriptor stays registered with the event loop for the port's life, so a
// read is one `epoll_wait` wake-up and one `read`. The previous path
// ("poller": serialport's binding poller, which drops and re-adds its epoll
// registration around every event, three `epoll_ctl` a read, then `readSync`)
// is kept for comparison: `EVSE_SERIAL_READER=poller` (docs/performance.md).
// Writes are `writeSync` on a descriptor in both; one that would block goes
// through serialport's stream, and later writes queue behind it, in order.

import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';
import { SerialPort } from 'serialport';
import type { ByteSink } from '../../modules/ports';

/** How received bytes reach the link. */
export type SerialReader = 'tty' | 'poller' | 'stream';

/** What the Unix binding of serialport 13 exposes and the poller path uses. */
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
  /**
   * 'tty' (default where the platform has descriptors): a second descriptor
   * on the device, read through a libuv tty handle kept registered; 'poller':
   * serialport's descriptor, read when its poller fires; 'stream':
   * serialport's own stream. The environment variable EVSE_SERIAL_READER
   * sets the default, so a spawned controller can be switched too.
   */
  reader?: SerialReader;
  /** false: serialport's stream (the same as reader 'stream'). */
  direct?: boolean;
}

function defaultReader(): SerialReader {
  const r = process.env.EVSE_SERIAL_READER;
  if (r === undefined || r === '') return 'tty';
  if (r === 'tty' || r === 'poller' || r === 'stream') return r;
  throw new Error(`EVSE_SERIAL_READER=${r}: expected tty, poller or stream`);
}

/** Our own non-blocking descriptor on the device (serialport's lock is an advisory flock: it does not stop this open); undefined where that cannot be. */
function openOwn(path: string): number | undefined {
  if (process.platform === 'win32') return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return undefined; // serialport's own open reports why, if it fails too
  }
  if (isatty(fd)) return fd;
  closeSync(fd);
  return undefined;
}

export class SerialLink implements ByteSink {
  readonly port: SerialPort;
  /** The reader this link uses (the asked one, or a fallback the platform allows). */
  readonly reader: SerialReader;
  #receiver?: (bytes: Uint8Array) => void;
  /** The descriptor written directly ('tty': our own; 'poller': serialport's). */
  #fd: number | null = null;
  #tty?: ReadStream;
  /** The descriptor the tty handle reads and will close. */
  #handleFd = -1;
  readonly #binding?: UnixBinding;
  readonly #buffer?: Buffer;
  /** Writes handed to the stream and not yet written: later writes must queue behind them. */
  #queued = 0;

  private constructor(port: SerialPort, reader: SerialReader, own: number | undefined) {
    this.port = port;
    const binding = reader === 'poller' ? unixBinding(port) : undefined;
    if (reader === 'tty' && own !== undefined) {
      this.reader = 'tty';
      this.#fd = own;
      const tty = new ReadStream(own);
      this.#tty = tty;
      // libuv reopens a tty it can (by its name, to set O_NONBLOCK on a description of its own) and dup2()s that onto
      // `own`: it then reads another descriptor, and `own` must be closed apart. Where it cannot (a pty master, or an
      // exclusive tty), it reads `own` and closes it itself.
      this.#handleFd = (tty as unknown as { _handle?: { fd?: number } })._handle?.fd ?? own;
      // Each chunk is a fresh buffer, so the receiver may keep it; a plain view, so `slice` copies as a Uint8Array's does.
      tty.on('data', (chunk: Buffer) => this.#receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
      // EIO when the far end of a pty goes away: serialport reports a port's loss through its own events.
      tty.on('error', () => {});
    } else if (binding) {
      this.reader = 'poller';
      this.#binding = binding;
      this.#fd = binding.fd;
      this.#buffer = Buffer.allocUnsafe(4096);
      // One listener for the port's life, the poller armed again after each read: `once` would make and drop a wrapper per exchange.
      binding.poller.on('readable', this.#readable);
      this.#pump();
    } else {
      this.reader = 'stream';
      port.on('data', (chunk: Buffer) => this.#receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    }
  }

  /** Opens `path` at `baudRate` 8N1 (RAPI: 115200). */
  static open(path: string, baudRate = 115200, options: SerialLinkOptions = {}): Promise<SerialLink> {
    return new Promise((resolve, reject) => {
      const reader = options.direct === false ? 'stream' : (options.reader ?? defaultReader());
      const own = reader === 'tty' ? openOwn(path) : undefined;
      const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
      port.open((err) => {
        if (!err) return resolve(new SerialLink(port, reader, own));
        if (own !== undefined) closeSync(own);
        reject(err);
      });
    });
  }

  /** true when reads and writes bypass serialport's stream. */
  get direct(): boolean {
    return this.reader !== 'stream';
  }

  onReceive(receiver: (bytes: Uint8Array) => void): void {
    this.#receiver = receiver;
  }

  write(bytes: Uint8Array): void {
    const fd = this.#binding ? this.#binding.fd : this.#fd;
    let rest = bytes;
    if (fd !== null && this.#queued === 0) {
      try {
        const n = writeSync(fd, bytes);
        if (n === bytes.length) return;
        rest = bytes.subarray(n);
      } catch (e) {
        if (errno(e) !== 'EAGAIN') throw e;
      }
    }
    // The driver's buffer is full (or the stream path is in use): let serialport's stream wait for room.
    this.#queued++;
    this.port.write(Buffer.from(rest), () => this.#queued--);
  }

  readonly #readable = (error: Error | null) => {
    if (!error) this.#pump();
  };

  /** The poller path: reads whatever is there, then waits for the poller to say there is more. */
  #pump(): void {
    const b = this.#binding!;
    const buffer = this.#buffer!;
    for (;;) {
      if (b.fd === null) return;
      let n: number;
      try {
        n = readSync(b.fd, buffer, 0, buffer.length, null);
      } catch (e) {
        if (errno(e) === 'EAGAIN') break;
        return; // closed or gone; serialport reports it through its own events
      }
      if (n === 0) break;
      // A copy: the receiver may keep the bytes, the buffer is reused.
      this.#receiver?.(Uint8Array.prototype.slice.call(buffer, 0, n));
      // A short read took everything there was: asking again would only fail
      // with EAGAIN, and a thrown error costs more than the read (the poller
      // says so if more came meanwhile).
      if (n < buffer.length) break;
    }
    b.poller.poll(UV_READABLE);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      // The tty handle closes our own descriptor; serialport closes its one.
      if (this.#tty) {
        this.#tty.destroy();
        if (this.#handleFd !== this.#fd) closeSync(this.#fd!);
        this.#tty = undefined;
        this.#fd = null;
      }
      if (!this.port.isOpen) return resolve();
      this.port.close(() => {
        this.#binding?.poller.off('readable', this.#readable);
        resolve();
      });
    });
  }
}
