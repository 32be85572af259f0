// Serves the portable HTTP router (Gateway.http) with the SDK's ECMA-419 HTTP
// server (examples/io/listener/httpserver, mapped in manifest.json): collects
// one request, hands it over, streams the answer back as the socket has room.

import HTTPServer from 'embedded:network/http/server';
import Listener from 'embedded:io/socket/listener';
import Timer from 'timer';
import type { HttpRequest, HttpResponse, Logger } from '../../modules/ports';
import type { HttpServerClass, HttpServerConnection, HttpServerInstance, HttpServerResponseHead, HttpServerRoute } from '../../types/moddable/sdk';
import { parseTarget } from './request-target';
// Type only: the WebSocket code is the platform's to bring (hosts/moddable/ws.ts), and stays out of a build without it.
import type { WsUpgrade } from './ws';

const Server = HTTPServer as unknown as HttpServerClass;

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

export interface ModdableHttpServerOptions {
  handler: HttpHandler;
  port?: number;
  /** Larger request bodies are answered 413 without being kept. */
  maxBody?: number;
  logger?: Logger;
  /** `/ws`: what answers a request for `Upgrade: websocket` (else it is an ordinary request). */
  ws?: WsUpgrade;
}

/** How long the next request waits for one that does not settle, ms: a request that never settles must not stop the server. */
const PATIENCE_MS = 5000;
/**
 * How long an answer may stay without a byte of its body written (or its end)
 * after its head was handed to the server, ms. A sound socket has room at
 * once (the simulator's reports it before the request; lwip's in the same
 * delivery, just after); one whose write failed while the head went out says
 * nothing more (the SDK's simulator socket stops polling after an error it
 * did not find itself, ws-connection.ts), and its connection would stay for
 * good, with its request's objects: a few clients that reset their connections
 * right after the request filled the device-sized heap within seconds.
 */
const STALL_MS = 1000;

export class ModdableHttpServer {
  readonly #server: HttpServerInstance;
  readonly handler: HttpHandler;
  readonly maxBody: number;
  readonly logger?: Logger;
  readonly ws?: WsUpgrade;
  /**
   * Requests are answered one at a time, each on a turn of its own: from the
   * bottom of the stack rather than inside the socket's and the server's
   * callbacks (the deepest paths, an override that publishes to MQTT, need
   * the room), and with one answer's objects alive at a time rather than one
   * per open connection. A queue of connections and a timer, no promise
   * chain: each promise level held about 20 slots per waiting request.
   */
  readonly #waiting: Carrier[] = [];
  #current?: Carrier;
  #scheduled = false;
  #patience?: Timer;
  readonly #step = () => this.#next();
  readonly #giveUp = () => {
    this.#patience = undefined;
    this.#current = undefined;
    this.#schedule();
  };

  constructor(options: ModdableHttpServerOptions) {
    this.handler = options.handler;
    this.maxBody = options.maxBody ?? 8192;
    this.logger = options.logger;
    this.ws = options.ws;
    const server = this;
    this.#server = new Server({
      io: Listener,
      port: options.port ?? 80,
      onConnect(connection) {
        // One small object per connection; the callbacks are shared (EXCHANGE, in flash when preloaded).
        (connection as Carrier).exchange = new Exchange(server);
        connection.accept(EXCHANGE);
      },
    });
  }

  /** A request is complete (onResponse): it is answered in its turn. */
  enqueue(conn: Carrier): void {
    this.#waiting.push(conn);
    this.#schedule();
  }

  close(): void {
    this.#server.close();
  }

  #schedule(): void {
    if (this.#scheduled || this.#current || this.#waiting.length === 0) return;
    this.#scheduled = true;
    Timer.set(this.#step, 0);
  }

  #next(): void {
    this.#scheduled = false;
    if (this.#current) return;
    const conn = this.#waiting.shift();
    if (!conn) return;
    const x = conn.exchange;
    const request = x.request!;
    x.request = undefined;
    this.#current = conn;
    this.#patience = Timer.set(this.#giveUp, PATIENCE_MS);
    let answer: Promise<HttpResponse>;
    try {
      answer = this.handler(request);
    } catch (e) {
      answer = Promise.reject(e);
    }
    answer.then(
      (a) => this.#answer(conn, a),
      (error: unknown) => {
        this.logger?.log(`http: ${request.method} ${request.path} failed: ${String(error)}`);
        this.#answer(conn, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' });
      },
    );
  }

  #answer(conn: Carrier, answer: HttpResponse): void {
    const head = conn.exchange.head;
    conn.exchange.head = undefined;
    try {
      if (head) reply(conn, head, answer);
    } catch (e) {
      // The client went away meanwhile: nothing to answer; the next request still runs.
      this.logger?.log(`http: answer not sent: ${String(e)}`);
    }
    if (this.#current !== conn) return; // given up on already: the next one runs
    this.#current = undefined;
    if (this.#patience !== undefined) Timer.clear(this.#patience);
    this.#patience = undefined;
    this.#schedule();
  }
}

/** A connection with its request's state attached. */
type Carrier = HttpServerConnection & { exchange: Exchange };

/** One request and its answer on one connection. */
class Exchange {
  readonly server: ModdableHttpServer;
  method = 'GET';
  target = '/';
  headers: Record<string, string> = {};
  /** Body parts as they came; undefined until the first. */
  parts?: ArrayBuffer[];
  size = 0;
  tooLarge = false;
  /** Answered 101 for `/ws`: once it is out, the socket goes to the WebSocket endpoint. */
  upgraded = false;
  /** Part of the answer went out after its head (a body write, or the end): the connection is not stalled. */
  moved = false;
  /** The request and the response head, from onResponse until the request's turn. */
  request?: HttpRequest;
  head?: HttpServerResponseHead;
  /** The answer's body, and how much of it is out. */
  body?: Uint8Array;
  sent = 0;

  constructor(server: ModdableHttpServer) {
    this.server = server;
  }
}

// The route callbacks, called with `this` = the connection. Module functions,
// not closures per connection: a connection costs the Exchange only.
const EXCHANGE: HttpServerRoute = {
  onRequest(request) {
    const x = (this as Carrier).exchange;
    x.method = request.method;
    x.target = request.path;
    x.headers = {};
    for (const [name, value] of request.headers) x.headers[name] = value;
    x.tooLarge = Number(x.headers['content-length'] ?? 0) > x.server.maxBody;
  },
  onReadable(count) {
    const x = (this as Carrier).exchange;
    const data = this.read(count);
    if (!data || x.tooLarge) return;
    x.size += data.byteLength;
    if (x.size > x.server.maxBody) {
      x.tooLarge = true;
      x.parts = undefined;
    } else (x.parts ??= []).push(data);
  },
  onResponse(response) {
    const conn = this as Carrier;
    const x = conn.exchange;
    if (x.tooLarge) return reply(conn, response, { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request body too large' });
    const { path, query } = parseTarget(x.target);
    const ws = x.server.ws;
    if (ws && (x.headers.upgrade ?? '').toLowerCase() === 'websocket') {
      const refused = ws.answer({ method: x.method, path, query, headers: x.headers, body: '' }, response);
      if (!refused) x.upgraded = true;
      // On a turn of its own, not inside the server's read loop: the answer ends the
      // connection (closed, or its socket detached), and the SDK's loop then reads
      // on to bytes that came behind the request on a socket it no longer has (a
      // TypeError out of the socket's callback: XS abort). Deferred, the loop reads
      // them as the next request line and finds the request still waiting.
      Timer.set(() => {
        try {
          // The server calls onDone once the 101 is out; the socket then goes to the WebSocket endpoint.
          if (refused) reply(conn, response, refused);
          else respond(conn, response);
        } catch {
          // The client went away meanwhile: the connection is closed already.
        }
      }, 0);
      return;
    }
    const parts = x.parts;
    const text = !parts ? '' : String.fromArrayBuffer(parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1)));
    x.parts = undefined;
    x.request = { method: x.method, path, query, headers: x.headers, body: text };
    x.head = response;
    x.server.enqueue(conn);
  },
  onWritable(count) {
    const x = (this as Carrier).exchange;
    const body = x.body;
    if (!body || x.sent >= body.byteLength) return;
    const n = Math.min(count, body.byteLength - x.sent);
    x.moved = true;
    // A view, not a copy: a body in flash (the dashboard) goes out from there.
    const room = this.write(body.subarray(x.sent, x.sent + n));
    x.sent += n;
    // A failed write answers no room, and the socket says nothing more: the connection would stay for good.
    if (typeof room !== 'number') {
      x.body = undefined;
      this.close();
    }
  },
  onDone() {
    const x = (this as Carrier).exchange;
    x.moved = true;
    if (x.upgraded && x.server.ws) x.server.ws.attach(this.detach());
  },
  onError() {
    (this as Carrier).exchange.body = undefined;
  },
};

function reply(conn: Carrier, head: HttpServerResponseHead, answer: HttpResponse): void {
  const x = conn.exchange;
  let body = toBytes(answer.body);
  head.status = answer.status;
  for (const name in answer.headers) {
    const lower = name.toLowerCase();
    if (lower !== 'content-length' && lower !== 'transfer-encoding') head.headers.set(lower, answer.headers[name]);
  }
  // The SDK server waits for exactly content-length bytes, so HEAD announces none.
  if (x.method === 'HEAD') body = new Uint8Array(0);
  x.body = body;
  x.sent = 0;
  head.headers.set('content-length', body.byteLength);
  // The SDK server closes the connection after each response; saying so
  // keeps clients from sending the next request on a closing socket.
  head.headers.set('connection', 'close');
  respond(conn, head);
}

/** Hands the head to the server, and closes the connection if its answer then stalls (STALL_MS). */
function respond(conn: Carrier, head: HttpServerResponseHead): void {
  const x = conn.exchange;
  conn.respond(head);
  // On a sound socket the head and the first body bytes (or the end) go out now; no timer then.
  if (x.moved) return;
  Timer.set(() => {
    if (x.moved) return;
    x.body = undefined;
    x.server.logger?.log('http: an answer stalled (the client went away), connection closed');
    conn.close();
  }, STALL_MS);
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? new Uint8Array(ArrayBuffer.fromString(body)) : body;
}
