// The WebSocket client port over the `ws` package: ws:// and wss:// (the
// server certificate checked against the system store or a given CA unless
// told otherwise), subprotocols and headers as the core asks. Translation
// only: the core decides when to connect and retry. The package loads at the
// first connection, not at start (`npm start` answers /status sooner); until
// it is in, the socket is not open, so a send is dropped as it would be on a
// connecting socket, and a close before it means no socket is ever made.

import type WebSocket from 'ws';
import type { WebSocketConnect, WebSocketSession } from '../../modules/ports';

let wsPackage: Promise<typeof WebSocket> | undefined;
const loadWs = () => (wsPackage ??= import('ws').then((m) => m.default));

export const wsConnect: WebSocketConnect = (options, events): WebSocketSession => {
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.onClose(reason);
  };
  let socket: WebSocket | undefined;
  loadWs().then(
    (Socket) => {
      if (closed) return;
      try {
        socket = new Socket(options.url, options.protocols, {
          headers: options.headers,
          rejectUnauthorized: options.rejectUnauthorized ?? true,
          ca: options.ca,
          handshakeTimeout: 10000,
        });
      } catch (e) {
        // A malformed URL throws; report it as a closed connection so the core's back-off applies.
        close(e instanceof Error ? e.message : String(e));
        return;
      }
      const s = socket;
      s.on('open', () => events.onOpen(s.protocol));
      s.on('message', (data, isBinary) => {
        if (!isBinary) events.onMessage(data.toString());
      });
      s.on('unexpected-response', (_req, res) => {
        close(`HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
        s.terminate();
      });
      s.on('error', (e) => close(e.message));
      s.on('close', (code, reason) => close(`closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`));
    },
    (e: Error) => close(`the ws package did not load: ${e.message}`),
  );
  return {
    send(text) {
      if (socket && socket.readyState === socket.OPEN) socket.send(text);
    },
    close() {
      closed = true;
      socket?.terminate();
    },
  };
};
