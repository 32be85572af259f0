// The `/ws` sessions (OpenEVSE web_server.cpp onWsFrame / event_send): on
// connect a client gets the full status document, then every change event of
// the telemetry stream as the JSON fragment it is (amp/voltage/power every
// second while charging, a state change at once, version bumps). A client may
// send {"ping":1} and gets {"pong":1}.
//
// Memory is bounded per client: the host reports how many bytes it still holds
// for a peer (a socket's send buffer); a client whose backlog passes the limit
// is dropped (close 1008), never buffered without end. The number of clients
// is capped too (4 on the device, 32 or more on Node); one more is refused
// with close 1013 ("try again later"). The host adapts its WebSocket (the ws
// package on Node, the SDK's server on Moddable) to WsPeer and decides nothing.

import type { Telemetry, Fragment } from './telemetry';

/** One connected WebSocket as the host's adapter presents it. */
export interface WsPeer {
  /** Queues a text message. */
  send(text: string): void;
  /** Bytes queued for this peer and not yet sent. */
  buffered(): number;
  /** Closes the connection (the host then calls session.closed()). */
  close(code: number, reason: string): void;
}

export interface WsHubOptions {
  telemetry: Telemetry;
  /** The full status document, sent on connect. */
  document(): Fragment;
  /** Most clients at once (default 4, the device's figure). */
  maxClients?: number;
  /** Backlog at which a client is dropped, bytes (default 16 KiB). */
  maxBuffered?: number;
  log?(line: string): void;
}

/** Close codes (RFC 6455). */
export const WS_POLICY = 1008;
export const WS_TRY_AGAIN = 1013;
export const WS_TOO_BIG = 1009;

/** Longest message a client may send; ours are tiny ({"ping":1}). */
const MAX_INCOMING = 512;

export class WsSession {
  readonly #hub: WsHub;
  readonly peer: WsPeer;
  #open = true;

  constructor(hub: WsHub, peer: WsPeer) {
    this.#hub = hub;
    this.peer = peer;
  }

  get open(): boolean {
    return this.#open;
  }

  /** A text message from the client. */
  receive(text: string): void {
    if (!this.#open) return;
    if (text.length > MAX_INCOMING) return this.#hub.drop(this, WS_TOO_BIG, 'message too big');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return; // OpenEVSE ignores what it does not understand
    }
    if (doc !== null && typeof doc === 'object' && 'ping' in doc) this.#hub.deliver(this, '{"pong":1}');
  }

  /** The connection is gone (either side closed it). */
  closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#hub.forget(this);
  }

  /** Marks it closed without telling the hub (the hub is dropping it). */
  shut(): void {
    this.#open = false;
  }
}

export class WsHub {
  readonly #options: WsHubOptions;
  readonly #sessions: WsSession[] = [];
  readonly #max: number;
  readonly #maxBuffered: number;
  #dropped = 0;
  #sent = 0;

  constructor(options: WsHubOptions) {
    this.#options = options;
    this.#max = options.maxClients ?? 4;
    this.#maxBuffered = options.maxBuffered ?? 16384;
    options.telemetry.subscribe((f) => this.broadcast(f));
  }

  get clients(): number {
    return this.#sessions.length;
  }

  /** Clients dropped for a backlog over the limit, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages handed to peers since start. */
  get sent(): number {
    return this.#sent;
  }

  /** A handshake passed: the session, or undefined when full (the peer is closed with 1013). */
  open(peer: WsPeer): WsSession | undefined {
    if (this.#sessions.length >= this.#max) {
      peer.close(WS_TRY_AGAIN, 'too many clients');
      return undefined;
    }
    const s = new WsSession(this, peer);
    this.#sessions.push(s);
    this.deliver(s, JSON.stringify(this.#options.document()));
    return s.open ? s : undefined;
  }

  /** Sends one event to every client. */
  broadcast(fragment: Fragment): void {
    if (this.#sessions.length === 0) return;
    const text = JSON.stringify(fragment);
    for (const s of this.#sessions.slice()) this.deliver(s, text);
  }

  /** Sends to one client, or drops it when its backlog is over the limit. */
  deliver(s: WsSession, text: string): void {
    if (!s.open) return;
    if (s.peer.buffered() + text.length > this.#maxBuffered) {
      this.#dropped++;
      this.#options.log?.('ws: dropped a client that does not keep up');
      return this.drop(s, WS_POLICY, 'too slow');
    }
    try {
      s.peer.send(text);
      this.#sent++;
    } catch {
      this.drop(s, WS_POLICY, 'send failed');
    }
  }

  drop(s: WsSession, code: number, reason: string): void {
    s.shut();
    this.forget(s);
    try {
      s.peer.close(code, reason);
    } catch {
      // already gone
    }
  }

  forget(s: WsSession): void {
    const i = this.#sessions.indexOf(s);
    if (i >= 0) this.#sessions.splice(i, 1);
  }

  /** Closes every client (the gateway stops). */
  closeAll(): void {
    for (const s of this.#sessions.slice()) this.drop(s, 1001, 'going away');
  }
}
