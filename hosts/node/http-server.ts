// node:http in front of the portable router: translates requests and
// responses, refuses oversized bodies while they stream in, decides nothing else.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../../modules/ports';

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Bodies above this are refused with 413 before they are read in full (default 16 KiB). */
  maxBody?: number;
}

export interface RunningHttpServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export function toRequest(req: IncomingMessage, body: string): HttpRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it encoded
  }
  return { method: req.method ?? 'GET', path, query, headers, body, remote: req.socket.remoteAddress };
}

function send(res: ServerResponse, r: HttpResponse, head: boolean): void {
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(r.body);
  res.writeHead(r.status, { ...r.headers, 'Content-Length': String(body.length) });
  res.end(head ? undefined : body);
}

export function serveHttp(handler: HttpHandler, options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const limit = options.maxBody ?? 16384;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const declared = Number(req.headers['content-length'] ?? 0);
    const refuse = () => {
      refused = true;
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close', 'Access-Control-Allow-Origin': '*' });
      res.end('{"msg":"Request body too large"}');
      req.resume();
    };
    if (declared > limit) return refuse();
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > limit) refuse();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const request = toRequest(req, Buffer.concat(chunks).toString('utf8'));
      handler(request).then(
        (r) => send(res, r, request.method === 'HEAD'),
        () => send(res, { status: 500, headers: { 'Content-Type': 'application/json' }, body: '{"msg":"Internal error"}' }, false),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        url: `http://${options.host ?? '127.0.0.1'}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
