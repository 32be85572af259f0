// The WebSocket client port over the `ws` package: ws:// and wss:// (the
// server certificate checked against the system store or a given CA unless
// told otherwise), subprotocols and headers as the core asks. Translation
// only: the core decides when to connect and retry.

import WebSocket from 'ws';
import type { WebSocketConnect, WebSocketSession } from '../../modules/ports';

export const wsConnect: WebSocketConnect = (options, events): WebSocketSession => {
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.onClose(reason);
  };
  let socket: WebSocket;
  try {
    socket = new WebSocket(options.url, options.protocols, {
      headers: options.headers,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ca: options.ca,
      handshakeTimeout: 10000,
    });
  } catch (e) {
    // A malformed URL throws synchronously; report it as a closed connection so the core's back-off applies.
    queueMicrotask(() => close(e instanceof Error ? e.message : String(e)));
    return { send() {}, close() {} };
  }
  socket.on('open', () => events.onOpen(socket.protocol));
  socket.on('message', (data, isBinary) => {
    if (!isBinary) events.onMessage(data.toString());
  });
  socket.on('unexpected-response', (_req, res) => {
    close(`HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
    socket.terminate();
  });
  socket.on('error', (e) => close(e.message));
  socket.on('close', (code, reason) => close(`closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`));
  return {
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close() {
      closed = true;
      socket.terminate();
    },
  };
};
