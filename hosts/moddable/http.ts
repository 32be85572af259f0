// Serves the portable HTTP router (Gateway.http) with the SDK's ECMA-419 HTTP
// server (examples/io/listener/httpserver, mapped in manifest.json): collects
// one request, hands it over, streams the answer back as the socket has room.

import HTTPServer from 'embedded:network/http/server';
import Listener from 'embedded:io/socket/listener';
import Timer from 'timer';
import type { HttpRequest, HttpResponse, Logger } from '../../modules/ports';
import type { HttpServerClass, HttpServerConnection, HttpServerInstance, HttpServerResponseHead } from '../../types/moddable/sdk';
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

export class ModdableHttpServer {
  readonly #server: HttpServerInstance;

  constructor(options: ModdableHttpServerOptions) {
    const handler = options.handler;
    const maxBody = options.maxBody ?? 8192;
    const logger = options.logger;
    const serial = new OneAtATime();
    const ws = options.ws;
    this.#server = new Server({
      io: Listener,
      port: options.port ?? 80,
      onConnect(connection) {
        let method = 'GET';
        let target = '/';
        let headers: Record<string, string> = {};
        let parts: ArrayBuffer[] = [];
        let size = 0;
        let tooLarge = false;
        let body: Uint8Array | undefined;
        let sent = 0;
        let upgraded = false;
        connection.accept({
          onRequest(request) {
            method = request.method;
            target = request.path;
            headers = {};
            for (const [name, value] of request.headers) headers[name] = value;
            tooLarge = Number(headers['content-length'] ?? 0) > maxBody;
          },
          onReadable(count) {
            const data = this.read(count);
            if (!data || tooLarge) return;
            size += data.byteLength;
            if (size > maxBody) {
              tooLarge = true;
              parts = [];
            } else parts.push(data);
          },
          onResponse(response) {
            if (tooLarge) return reply(this, response, { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request body too large' });
            const { path, query } = parseTarget(target);
            if (ws && (headers.upgrade ?? '').toLowerCase() === 'websocket') {
              const refused = ws.answer({ method, path, query, headers, body: '' }, response);
              if (refused) return reply(this, response, refused);
              upgraded = true;
              // The server calls onDone once the 101 is out; the socket then goes to the WebSocket endpoint.
              return this.respond(response);
            }
            const text = parts.length === 0 ? '' : String.fromArrayBuffer(parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1)));
            parts = [];
            const request: HttpRequest = { method, path, query, headers, body: text };
            // One request at a time, each on a turn of its own: from the bottom
            // of the stack rather than inside the socket's and the server's
            // callbacks (the deepest paths, an override that publishes to MQTT,
            // need the room on a 512-slot stack), and with one answer's objects
            // alive at a time rather than one per open connection.
            serial.run(() => handler(request)).then(
              (answer) => reply(this, response, answer),
              (error: unknown) => {
                logger?.log(`http: ${method} ${path} failed: ${String(error)}`);
                reply(this, response, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' });
              },
            );
          },
          onWritable(count) {
            if (!body || sent >= body.byteLength) return;
            const n = Math.min(count, body.byteLength - sent);
            // A view, not a copy: a body in flash (the dashboard) goes out from there.
            this.write(body.subarray(sent, sent + n));
            sent += n;
          },
          onDone() {
            if (upgraded && ws) ws.attach(this.detach());
          },
          onError() {
            body = undefined;
          },
        });

        function reply(conn: HttpServerConnection, head: HttpServerResponseHead, answer: HttpResponse): void {
          body = toBytes(answer.body);
          sent = 0;
          head.status = answer.status;
          for (const name in answer.headers) {
            const lower = name.toLowerCase();
            if (lower !== 'content-length' && lower !== 'transfer-encoding') head.headers.set(lower, answer.headers[name]);
          }
          // The SDK server waits for exactly content-length bytes, so HEAD announces none.
          if (method === 'HEAD') body = new Uint8Array(0);
          head.headers.set('content-length', body.byteLength);
          // The SDK server closes the connection after each response; saying so
          // keeps clients from sending the next request on a closing socket.
          head.headers.set('connection', 'close');
          conn.respond(head);
        }
      },
    });
  }

  close(): void {
    this.#server.close();
  }
}

/**
 * Runs tasks one after another, each started on a later turn. The next one
 * waits for this one whatever its outcome, but no longer than `patienceMs`:
 * a request that never settles must not stop the server.
 */
class OneAtATime {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #patienceMs: number;

  constructor(patienceMs = 5000) {
    this.#patienceMs = patienceMs;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    const patience = this.#patienceMs;
    this.#tail = new Promise<void>((resolve) => {
      const id = Timer.set(() => resolve(), patience);
      result.then(
        () => (Timer.clear(id), resolve()),
        () => (Timer.clear(id), resolve()),
      );
    });
    return result;
  }
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? new Uint8Array(ArrayBuffer.fromString(body)) : body;
}
