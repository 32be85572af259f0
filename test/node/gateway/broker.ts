// A real mosquitto broker for the tests, on a free port of 127.0.0.1, that a
// test can kill and start again; and a TCP pass-through whose connections a
// test can cut, to make a client vanish without a goodbye (its last will).

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export class Mosquitto {
  readonly port: number;
  readonly #conf: string;
  #proc?: ChildProcess;

  private constructor(port: number, conf: string) {
    this.port = port;
    this.#conf = conf;
  }

  static async start(dir: string): Promise<Mosquitto> {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', ''].join('\n'));
    const m = new Mosquitto(port, conf);
    await m.restart();
    return m;
  }

  async restart(): Promise<void> {
    if (this.#proc) throw new Error('mosquitto already running');
    const proc = spawn('mosquitto', ['-c', this.#conf], { stdio: 'ignore' });
    this.#proc = proc;
    proc.once('exit', () => {
      if (this.#proc === proc) this.#proc = undefined;
    });
    const start = Date.now();
    while (!(await canConnect(this.port))) {
      if (Date.now() - start > 5000) throw new Error('mosquitto did not start');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL: the broker vanishes without closing anything. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    this.#proc = undefined;
  }
}

/** A TCP relay to `target`; `cut()` drops every open connection at once. */
export class Relay {
  readonly server: Server;
  readonly port: number;
  readonly #pairs = new Set<[Socket, Socket]>();

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static start(target: number): Promise<Relay> {
    return new Promise((resolve) => {
      let relay: Relay;
      const server = createServer((down) => {
        const up = createConnection({ port: target, host: '127.0.0.1' });
        const pair: [Socket, Socket] = [down, up];
        relay.#pairs.add(pair);
        down.pipe(up);
        up.pipe(down);
        const end = () => {
          relay.#pairs.delete(pair);
          down.destroy();
          up.destroy();
        };
        down.on('error', end).on('close', end);
        up.on('error', end).on('close', end);
      });
      server.listen(0, '127.0.0.1', () => {
        relay = new Relay(server, (server.address() as { port: number }).port);
        resolve(relay);
      });
    });
  }

  cut(): void {
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}
