// A UART (or pseudo-terminal) through the `serialport` package, as a
// ByteSink plus a receiver: what the RAPI client and the controller's
// command processor need on a host.

import { SerialPort } from 'serialport';
import type { ByteSink } from '../../modules/ports';

export class SerialLink implements ByteSink {
  readonly port: SerialPort;
  #receiver?: (bytes: Uint8Array) => void;

  private constructor(port: SerialPort) {
    this.port = port;
    port.on('data', (chunk: Buffer) => this.#receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  }

  /** Opens `path` at `baudRate` 8N1 (RAPI: 115200). */
  static open(path: string, baudRate = 115200): Promise<SerialLink> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new SerialLink(port))));
    });
  }

  onReceive(receiver: (bytes: Uint8Array) => void): void {
    this.#receiver = receiver;
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}
