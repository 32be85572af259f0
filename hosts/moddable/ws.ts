// `/ws` on Moddable: the SDK 8.2.3 HTTP server answers the handshake (the
// gateway decides whether it passes: path, credentials, cross-site rule),
// then hands its socket over (`detach()`) to a connection of this route
// (ws-connection.ts), which speaks WebSocket frames on it and presents it to
// the portable hub (modules/gateway/ws-hub.ts) as a WsPeer. A ping every 15 s
// finds a peer that vanished without a close (a pulled cable) within two
// periods. What a connection costs the heap is counted on the ESP32 profile
// (docs/moddable.md, "/ws on the device").

import { Digest } from 'crypt';
import Timer from 'timer';
import type { WsPeer, WsSession } from '../../modules/gateway/ws-hub';
import type { HttpRequest, HttpResponse } from '../../modules/ports';
import type { DigestClass, HttpServerResponseHead } from '../../types/moddable/sdk';
import { ModdableWsPeer } from './ws-connection';

const Sha1 = Digest as unknown as DigestClass;

const PING_MS = 15000;

/** The gateway's side of `/ws`. */
export interface WsRoute {
  /** undefined to accept the handshake, else the HTTP answer that refuses it. */
  handshake(request: HttpRequest): HttpResponse | undefined;
  /** A connection that passed: its session, or undefined when the hub refused it (and closed the peer). */
  open(peer: WsPeer): WsSession | undefined;
}

/** What the HTTP server (http.ts) does with a request that asks for `Upgrade: websocket`. */
export interface WsUpgrade {
  /** The HTTP answer that refuses the handshake, or undefined after it made `response` the 101. */
  answer(request: HttpRequest, response: HttpServerResponseHead): HttpResponse | undefined;
  /** The socket the server detached once the 101 was out. */
  attach(socket: unknown): void;
}

/** `/ws` for a platform that serves it (the simulator and the ESP32). */
export function webSocketUpgrade(route: WsRoute): WsUpgrade {
  const peers = new WsPeers(route);
  return {
    answer(request, response) {
      const refused = route.handshake(request);
      if (refused) return refused;
      const problem = handshakeProblem(request.method, request.headers);
      if (problem) return { status: 400, headers: { 'content-type': 'text/plain' }, body: problem };
      response.status = 101;
      response.headers.set('connection', 'upgrade');
      response.headers.set('upgrade', 'websocket');
      response.headers.set('sec-websocket-accept', acceptKey(request.headers['sec-websocket-key']));
      return undefined;
    },
    attach(socket) {
      peers.attach(socket);
    },
  };
}

/**
 * The connections of one route. One ping timer and one write turn serve them
 * all: a timer and its closure per connection cost the device's heap more
 * than the list, and writing on a turn of its own keeps a broadcast's socket
 * writes off the stack of whatever changed the status (a RAPI notification).
 */
export class WsPeers {
  readonly #route: WsRoute;
  readonly #list: ModdableWsPeer[] = [];
  #ping: ReturnType<typeof Timer.repeat> | undefined;
  #flush: ReturnType<typeof Timer.set> | undefined;

  constructor(route: WsRoute) {
    this.#route = route;
  }

  attach(socket: unknown): void {
    const peer = new ModdableWsPeer(socket, this);
    this.#list.push(peer);
    this.#ping ??= Timer.repeat(() => {
      for (const p of this.#list.slice()) p.ping();
    }, PING_MS);
    peer.open(this.#route);
  }

  remove(peer: ModdableWsPeer): void {
    const i = this.#list.indexOf(peer);
    if (i >= 0) this.#list.splice(i, 1);
    if (this.#list.length === 0 && this.#ping) {
      Timer.clear(this.#ping);
      this.#ping = undefined;
    }
  }

  /** Writes what the connections have queued, on a turn of its own. */
  flushSoon(): void {
    this.#flush ??= Timer.set(() => {
      this.#flush = undefined;
      for (const p of this.#list.slice()) p.flush();
    }, 0);
  }
}

/** Why the headers are not a valid opening handshake (RFC 6455 §4.2.1), or undefined. */
export function handshakeProblem(method: string, headers: Record<string, string>): string | undefined {
  if (method !== 'GET') return 'a WebSocket handshake is a GET';
  if (!(headers.connection ?? '').split(',').some((t) => t.trim().toLowerCase() === 'upgrade')) return 'Connection must include Upgrade';
  if (headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  if (!headers['sec-websocket-key']) return 'Sec-WebSocket-Key missing';
  return undefined;
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  const sha1 = new Sha1('SHA1');
  sha1.write(key);
  sha1.write('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  return (new Uint8Array(sha1.close()) as Uint8Array & { toBase64(): string }).toBase64();
}
