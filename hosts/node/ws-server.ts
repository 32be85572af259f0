// `/ws` on the Node host: the `ws` package accepts WebSocket upgrades on the
// same port as HTTP; the gateway decides whether the handshake passes
// (path, credentials) and what each session gets (ws-hub.ts). This adapter
// only translates: a ws socket becomes a WsPeer, its messages go to the
// session, its close tells the session. Protocol pings from the server find
// peers that vanished without a close (a pulled cable) within two periods.
// The `ws` package loads on the first upgrade (or when the host asks, after
// its first HTTP answer: `preload`), not at start: with the tls, https and
// crypto modules it requires, it was a third of what `npm start` loaded
// before it could answer /status.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer, WebSocket } from 'ws';
import type { Gateway } from '../../modules/gateway/gateway';
import { toRequest, type RunningHttpServer } from './http-server';

export interface WsServerOptions {
  /** Protocol ping period, ms (15 000). */
  pingPeriod?: number;
  /** Largest frame a client may send, bytes (4 KiB; ours are {"ping":1}). */
  maxPayload?: number;
}

export interface RunningWsServer {
  /** Loads the `ws` package now rather than at the first upgrade. */
  preload(): Promise<void>;
  close(): void;
}

/** `gateway`: the gateway, or a getter for the one running now (the Node host restarts it in-process). */
export function serveWs(http: RunningHttpServer, gateway: Gateway | (() => Gateway), options: WsServerOptions = {}): RunningWsServer {
  const current = typeof gateway === 'function' ? gateway : () => gateway;
  let wss: WebSocketServer | undefined;
  let closed = false;
  let loading: Promise<void> | undefined;
  const load = () =>
    (loading ??= import('ws').then((m) => {
      wss = new m.WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 4096, perMessageDeflate: false });
    }));
  const alive = new WeakMap<WebSocket, boolean>();
  // Upgrades that come while the package loads are handled once it is in, in order, as if they came then.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (wss) return upgrade(wss, req, socket, head);
    load().then(
      () => {
        if (closed) socket.destroy();
        else upgrade(wss!, req, socket, head);
      },
      () => socket.destroy(),
    );
  };
  const upgrade = (wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer) => {
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
    for (const ws of wss?.clients ?? []) {
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
    preload: load,
    close() {
      closed = true;
      clearInterval(pinger);
      http.server.off('upgrade', onUpgrade);
      for (const ws of wss?.clients ?? []) ws.terminate();
      wss?.close();
    },
  };
}
