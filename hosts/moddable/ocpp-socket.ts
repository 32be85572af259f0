// The WebSocket client port (modules/ports.ts) over the Moddable SDK's
// `websocket` Client, for OCPP on the device and in the simulator: ws:// over
// a TCP socket, wss:// over the SDK's SecureSocket (TLS with the SDK's CA
// store). Translation only; the charge point decides when to connect and retry.
//
// The SDK client sends our headers (Authorization for security profile 1) and
// the offered subprotocol, but does not report the server's choice of
// subprotocol, so the one offered is passed on as agreed.

import { Client } from 'websocket';
import SecureSocket from 'securesocket';
import type { WebSocketConnect, WebSocketSession } from '../../modules/ports';

interface Target {
  secure: boolean;
  host: string;
  port: number;
  path: string;
}

/** ws[s]://host[:port][/path] → its parts; undefined when it is not a WebSocket URL. */
export function parseWebSocketUrl(url: string): Target | undefined {
  const m = /^(wss?):\/\/([^/:?#]+)(?::(\d{1,5}))?([/?][^#]*)?$/.exec(url);
  if (!m) return undefined;
  const secure = m[1] === 'wss';
  const port = m[3] ? Number(m[3]) : secure ? 443 : 80;
  if (port < 1 || port > 65535) return undefined;
  return { secure, host: m[2], port, path: m[4] ?? '/' };
}

export const moddableWebSocketConnect: WebSocketConnect = (options, events): WebSocketSession => {
  const target = parseWebSocketUrl(options.url);
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.onClose(reason);
  };
  if (!target) {
    close(`not a ws:// or wss:// URL: ${options.url}`);
    return { send() {}, close() {} };
  }
  const headers: string[] = [];
  for (const name in options.headers) headers.push(name, options.headers[name]);
  const dictionary: Record<string, unknown> = { host: target.host, port: target.port, path: target.path, protocol: options.protocols.join(', '), headers };
  if (target.secure) dictionary.Socket = SecureSocket;
  let client: Client;
  try {
    client = new Client(dictionary as ConstructorParameters<typeof Client>[0]);
  } catch (e) {
    close(String(e));
    return { send() {}, close() {} };
  }
  client.callback = (message: number, value?: unknown): void => {
    if (message === Client.handshake) events.onOpen(options.protocols[0] ?? '');
    else if (message === Client.receive) {
      if (typeof value === 'string') events.onMessage(value);
    } else if (message === Client.disconnect) close('disconnected');
  };
  return {
    send(text) {
      if (!closed) client.write(text);
    },
    close() {
      closed = true;
      client.close();
    },
  };
};
