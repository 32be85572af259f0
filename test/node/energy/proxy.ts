// A TCP proxy per ordered pair of chargers, so a test can cut one charger off
// the LAN (its traffic is dropped: connections stay open and go silent, as
// behind a dead switch port) or delay traffic at random, without touching
// the chargers. Bytes keep their order on each connection.

import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'drop' } | { kind: 'delay'; maxMs: number };

export class Proxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  target: number;
  mode: ProxyMode = { kind: 'pass' };
  port = 0;

  constructor(target: number) {
    this.target = target;
    this.#server = createServer((client) => this.#pipe(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve((this.port = (this.#server.address() as { port: number }).port))));
  }

  /** Ends every connection (a new target, or the end of a test). */
  reset(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  close(): Promise<void> {
    this.reset();
    return new Promise((r) => this.#server.close(() => r()));
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    this.#sockets.add(client).add(upstream);
    const forward = (from: Socket, to: Socket) => {
      let last = Date.now();
      from.on('data', (chunk) => {
        const m = this.mode;
        if (m.kind === 'drop') return;
        if (m.kind === 'pass') {
          last = Date.now();
          return void (to.writable && to.write(chunk));
        }
        // Random delay, but never before the chunk ahead of it on this connection.
        const at = Math.max(last, Date.now() + Math.random() * m.maxMs);
        last = at;
        setTimeout(() => to.writable && to.write(chunk), at - Date.now());
      });
      from.on('close', () => {
        this.#sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  }
}
