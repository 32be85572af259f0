// The WebSocket to the central system: opened with the ocpp_* settings read at
// each attempt (the URL from the server and charge box id, HTTP Basic from the
// auth key), refused unless the server speaks ocpp1.6, and reopened after a
// drop with a back-off that doubles up to a bound and starts again at 1 s once
// the central system has accepted the charge point. What travels on it is the
// charge point's business (charge-point.ts).

import type { TimerId, WebSocketSession } from '../ports';
import type { ChargePointOptions } from './charge-point-options';
import { basicAuthorization, connectionUrl } from './framing';

/**
 * Who the connection works for (the charge point): its options, and methods rather than
 * callbacks, as the device counts a closure's slots.
 */
export interface ConnectionOwner {
  readonly o: Pick<ChargePointOptions, 'timers' | 'connect' | 'settings' | 'maxBackoff' | 'rejectUnauthorized' | 'ca' | 'log'>;
  /** Open with ocpp1.6: `send` reaches the central system from now on. */
  connectionOpened(): void;
  receive(text: string): void;
  /** Gone (closed by the server, dropped, stopped or restarted); `was` whether it had opened. */
  connectionClosed(was: boolean): void;
}

const FIRST_BACKOFF = 1000;

export class Connection {
  readonly #owner: ConnectionOwner;
  #session?: WebSocketSession;
  #connected = false;
  #running = false;
  #backoff = FIRST_BACKOFF;
  #reconnect?: TimerId;

  constructor(owner: ConnectionOwner) {
    this.#owner = owner;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#reconnect !== undefined) this.#owner.o.timers.clear(this.#reconnect);
    this.#reconnect = undefined;
    this.#close();
  }

  /** Settings changed (server, id, key): connect again with them, at once. */
  restart(): void {
    if (!this.#running) return;
    this.#close();
    if (this.#reconnect !== undefined) this.#owner.o.timers.clear(this.#reconnect);
    this.#reconnect = undefined;
    this.#backoff = FIRST_BACKOFF;
    this.#open();
  }

  /** The central system accepted the charge point: the next drop is retried after 1 s again. */
  accepted(): void {
    this.#backoff = FIRST_BACKOFF;
  }

  /** false when there is no connection to send on. */
  send(text: string): boolean {
    const s = this.#session;
    if (!s) return false;
    s.send(text);
    return true;
  }

  #open(): void {
    const owner = this.#owner;
    const o = owner.o;
    const s = o.settings();
    if (!s.server || !s.chargeBoxId) {
      o.log?.('ocpp: no server or charge box id set');
      return;
    }
    const headers: Record<string, string> = {};
    const auth = basicAuthorization(s.chargeBoxId, s.authKey);
    if (auth) headers.authorization = auth;
    let session: WebSocketSession | undefined;
    const mine = (): boolean => this.#session === session;
    session = o.connect(
      { url: connectionUrl(s.server, s.chargeBoxId), protocols: ['ocpp1.6'], headers, rejectUnauthorized: o.rejectUnauthorized ?? true, ca: o.ca },
      {
        onOpen: (protocol) => {
          if (!mine()) return;
          if (protocol !== 'ocpp1.6') {
            o.log?.(`ocpp: server chose subprotocol "${protocol}", not ocpp1.6`);
            session?.close();
            return;
          }
          this.#connected = true;
          o.log?.(`ocpp: connected to ${connectionUrl(s.server, s.chargeBoxId)}`);
          owner.connectionOpened();
        },
        onMessage: (text) => {
          if (mine()) owner.receive(text);
        },
        onClose: (reason) => {
          if (!mine()) return;
          this.#session = undefined;
          o.log?.(`ocpp: connection closed (${reason}), retry in ${this.#backoff} ms`);
          this.#closed();
          this.#scheduleReconnect();
        },
      },
    );
    this.#session = session;
  }

  #close(): void {
    const s = this.#session;
    this.#session = undefined;
    s?.close();
    this.#closed();
  }

  #closed(): void {
    const was = this.#connected;
    this.#connected = false;
    this.#owner.connectionClosed(was);
  }

  #scheduleReconnect(): void {
    if (!this.#running || this.#reconnect !== undefined) return;
    const wait = this.#backoff;
    const o = this.#owner.o;
    this.#backoff = Math.min(this.#backoff * 2, o.maxBackoff ?? 60000);
    this.#reconnect = o.timers.set(() => {
      this.#reconnect = undefined;
      this.#open();
    }, wait);
  }
}
