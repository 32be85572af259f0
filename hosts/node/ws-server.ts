// `/ws` on the Node host: the `ws` package accepts WebSocket upgrades on the
// same port as HTTP; the gateway decides whether the handshake passes
// (path, credentials) and what each session gets (ws-hub.ts). This adapter
// only translates: a ws socket becomes a WsPeer, its messages go to the
// session, its close tells the session. Protocol pings from the server find
// peers that vanished without a close (a pulled cable) within two periods.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Gateway } from '../../modules/gateway/gateway';
import { toRequest, type RunningHttpServer } from './http-server';

export interface WsServerOptions {
  /** Protocol ping period, ms (15 000). */
  pingPeriod?: number;
  /** Largest frame a client may send, bytes (4 KiB; ours are {"ping":1}). */
  maxPayload?: number;
}

export interface RunningWsServer {
  close(): void;
}

/** `gateway`: the gateway, or a getter for the one running now (the Node host restarts it in-process). */
export function serveWs(http: RunningHttpServer, gateway: Gateway | (() => Gateway), options: WsServerOptions = {}): RunningWsServer {
  const current = typeof gateway === 'function' ? gateway : () => gateway;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 4096, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = current().wsHandshake(toRequest(req, ''));
    if (refused) {
      const body = typeof refused.body === 'string' ? refused.body : Buffer.from(refused.body).toString('utf8');
      const lines = [`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : refused.status === 403 ? 'Forbidden' : refused.status === 429 ? 'Too Many Requests' : 'Not Found'}`];
      for (const [k, v] of Object.entries(refused.headers)) lines.push(`${k}: ${v}`);
      lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body);
      socket.end(lines.join('\r\n'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      const session = current().ws.open({
        send: (text) => ws.send(text),
        buffered: () => ws.bufferedAmount,
        // A close frame queued behind a backlog the peer does not read would never reach it,
        // and ws would hold the socket for its 30 s close timeout: end it at once.
        close: (code, reason) => (ws.bufferedAmount > 0 ? ws.terminate() : ws.close(code, reason)),
      });
      if (!session) return;
      ws.on('message', (data, binary) => {
        if (!binary) session.receive(data.toString());
      });
      ws.on('close', () => session.closed());
      ws.on('error', () => session.closed());
    });
  };
  http.server.on('upgrade', onUpgrade);
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingPeriod ?? 15000);
  pinger.unref();
  return {
    close() {
      clearInterval(pinger);
      http.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
