// `/ws` on Moddable: the SDK 8.2.3 HTTP server answers the handshake (the
// gateway decides whether it passes: path, credentials, cross-site rule), then
// hands its socket over (`detach()`) to the SDK's ECMA-419 WebSocket endpoint
// (examples/io/tcp/websocketclient, which takes a server socket with
// `attach`), and this adapter presents that endpoint to the portable hub
// (modules/gateway/ws-hub.ts) as a WsPeer. It translates and decides nothing:
// what each client gets, and when a slow one is dropped, is the hub's.
//
// The endpoint writes a frame only when the socket has room for all of it
// (it throws otherwise), so messages wait here in a queue whose size is what
// `buffered()` reports to the hub (which drops the client past its limit); a
// message larger than the room goes out as fragments. Client messages over
// 1 KiB are not collected (ours are {"ping":1}). A ping every 15 s finds a
// peer that vanished without a close (a pulled cable) within two periods.

import WebSocketClient from 'embedded:network/websocket/client';
import { Digest } from 'crypt';
import Timer from 'timer';
import type { WsPeer, WsSession } from '../../modules/gateway/ws-hub';
import type { HttpRequest, HttpResponse } from '../../modules/ports';
import type { DigestClass, HttpServerResponseHead, WsEndpoint, WsEndpointClass } from '../../types/moddable/sdk';

const Endpoint = WebSocketClient as unknown as WsEndpointClass;
const Sha1 = Digest as unknown as DigestClass;

const MAX_MESSAGE = 1024;
/** What a queued message costs beside its text: its slot in the queue and the string's own (32-byte slots in the 64-bit simulator). */
const QUEUE_OVERHEAD = 64;
const PING_MS = 15000;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

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

/** `/ws` for a platform that serves it (the simulator; not the ESP32, see docs/moddable.md). */
export function webSocketUpgrade(route: WsRoute): WsUpgrade {
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
      new ModdableWsPeer(socket, route);
    },
  };
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

/** One WebSocket connection after the handshake. */
export class ModdableWsPeer implements WsPeer {
  readonly #ws: WsEndpoint;
  /** Messages not yet written, as strings: a string costs one slot and its bytes, a byte array several slots. */
  readonly #queue: string[] = [];
  #queued = 0;
  #room = 0;
  /** Bytes of the queue's head already sent as fragments. */
  #sentOfHead = 0;
  #incoming: ArrayBuffer[] = [];
  #incomingSize = 0;
  #session: WsSession | undefined;
  #gone = false;
  #pong = true;
  #ping: ReturnType<typeof Timer.repeat> | undefined;
  /** A close frame waiting for room (a client refused before the socket was writable). */
  #closing: Uint8Array | undefined;

  /** `socket`: what the HTTP connection's detach() returned. */
  constructor(socket: unknown, route: WsRoute) {
    const self = this;
    this.#ws = new Endpoint({
      attach: socket,
      onReadable(count, options) {
        self.#readable(count, options.more, options.binary);
      },
      onWritable(count) {
        self.#room = count;
        if (self.#closing) self.#sendClose();
        else self.#flush();
      },
      onControl(opcode) {
        if (opcode === OP_PONG) self.#pong = true;
        // The peer closes: the endpoint answers and then reports onClose; nothing more to send.
        else if (opcode === OP_CLOSE) self.#end(false);
      },
      onClose() {
        self.#end(true);
      },
      onError() {
        self.#end(true);
      },
    });
    this.#ping = Timer.repeat(() => {
      if (!this.#pong) return this.#end(true);
      this.#pong = false;
      if (this.#room > 8 && this.#queue.length === 0) this.#write(new Uint8Array(0), { opcode: OP_PING });
    }, PING_MS);
    this.#session = route.open(this);
  }

  send(text: string): void {
    if (this.#gone) return;
    this.#queue.push(text);
    this.#queued += text.length + QUEUE_OVERHEAD;
    this.#flush();
  }

  /** Memory this connection holds for its backlog, bytes: the text plus what each queued message costs the heap. */
  buffered(): number {
    return this.#queued;
  }

  close(code: number, reason: string): void {
    if (this.#gone) return;
    this.#session = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
    // A close frame if it fits (it cannot follow half a fragmented message), then the socket goes.
    const r = new Uint8Array(ArrayBuffer.fromString(reason.slice(0, 100)));
    const frame = new Uint8Array(2 + r.byteLength);
    frame[0] = code >> 8;
    frame[1] = code & 0xff;
    frame.set(r, 2);
    // Not after half a fragmented message: a control frame may come between fragments, but the message would stay cut.
    if (this.#sentOfHead === 0) {
      this.#closing = frame;
      this.#sendClose();
    }
    Timer.set(() => this.#end(true), 500);
  }

  #sendClose(): void {
    const frame = this.#closing!;
    if (this.#room < frame.byteLength + 4) return;
    this.#closing = undefined;
    this.#write(frame, { opcode: OP_CLOSE });
  }

  #flush(): void {
    while (!this.#gone && this.#queue.length > 0 && this.#room > 0) {
      const head = this.#queue[0];
      // The bytes (UTF-8) exist only while being written; a message larger than the room
      // goes as fragments, cut at byte offsets (a character may span two: the client joins them).
      const bytes = new Uint8Array(ArrayBuffer.fromString(head));
      const left = bytes.byteLength - this.#sentOfHead;
      if (left <= this.#room) {
        if (!this.#write(this.#sentOfHead === 0 ? bytes : bytes.subarray(this.#sentOfHead), { binary: false })) return;
        this.#queue.shift();
        this.#queued -= head.length + QUEUE_OVERHEAD;
        this.#sentOfHead = 0;
      } else {
        const n = this.#room;
        if (!this.#write(bytes.subarray(this.#sentOfHead, this.#sentOfHead + n), { binary: false, more: true })) return;
        this.#sentOfHead += n;
      }
    }
  }

  #write(data: Uint8Array, options: { binary?: boolean; more?: boolean; opcode?: number }): boolean {
    try {
      this.#room = this.#ws.write(data, options);
      return true;
    } catch {
      // No room after all, or the endpoint is closing: the connection is over.
      this.#end(true);
      return false;
    }
  }

  #readable(count: number, more: boolean, binary: boolean): void {
    const data = this.#ws.read(count);
    if (this.#gone || !data) return;
    this.#incomingSize += data.byteLength;
    if (this.#incomingSize > MAX_MESSAGE) {
      this.#incoming = [];
      if (!more) this.#incomingSize = 0;
      return;
    }
    this.#incoming.push(data);
    if (more) return;
    const parts = this.#incoming;
    this.#incoming = [];
    this.#incomingSize = 0;
    if (binary) return; // ours is a text protocol
    const text = String.fromArrayBuffer(parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1)));
    this.#session?.receive(text);
  }

  /** The connection is over; `socket`: close it too (else the endpoint is finishing a close handshake). */
  #end(socket: boolean): void {
    const session = this.#session;
    this.#session = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#sentOfHead = 0;
    if (!this.#gone) {
      this.#gone = true;
      if (this.#ping) Timer.clear(this.#ping);
      this.#ping = undefined;
    }
    session?.closed();
    if (socket) {
      try {
        this.#ws.close();
      } catch {
        // already closed
      }
    }
  }
}
