// The WebSocket client port (modules/ports.ts) over the Moddable SDK's
// `websocket` Client, for OCPP on the device and in the simulator: ws:// over
// a TCP socket, wss:// over the SDK's SecureSocket (TLS with the SDK's CA
// store) when the build includes it: the host passes the class
// (`$(MODDABLE)/modules/crypt/tls.json` in the manifest), so a build without
// TLS does not carry it. Translation only; the charge point decides when to
// connect and retry.
//
// The SDK client sends our headers (Authorization for security profile 1) and
// the offered subprotocol, but does not report the server's choice of
// subprotocol, so the one offered is passed on as agreed.

import { Client } from 'websocket';
import { Socket } from 'socket';
import Timer from 'timer';
import type { WebSocketConnect, WebSocketSession } from '../../modules/ports';

type SocketCallback = (message: number, value?: unknown) => void;
type SocketClass = new (dictionary: object) => { callback?: SocketCallback; write(...items: unknown[]): unknown; read(...items: unknown[]): unknown; close(): void };

/**
 * A socket for the SDK's WebSocket Client that turns a failed write or close
 * into a disconnect instead of an exception. In the Linux simulator a refused
 * connection is reported as connected, the Client then writes its handshake,
 * the write throws ("write failed") inside the Client's callback, and the
 * unhandled exception stops the XS machine (seen with SDK 8.2.3 and mcsim).
 *
 * One class for every connection, in flash when preloaded; the socket class
 * it wraps comes in the dictionary as `inner` (the Client passes the
 * dictionary on: `new dictionary.Socket(dictionary)`).
 */
class GuardedSocket {
  #inner: InstanceType<SocketClass>;
  #failed = false;
  callback?: SocketCallback;

  constructor(dictionary: { inner: SocketClass }) {
    this.#inner = new dictionary.inner(dictionary);
    this.#inner.callback = (message, value) => this.callback?.(message, value);
  }

  write(...items: unknown[]): unknown {
    if (this.#failed) return 0;
    try {
      return this.#inner.write(...items);
    } catch {
      this.#failed = true;
      // Reported on a later turn: the Client is still inside its own callback.
      Timer.set(() => this.callback?.(-1));
      return 0;
    }
  }

  read(...items: unknown[]): unknown {
    return this.#inner.read(...items);
  }

  close(): void {
    try {
      this.#inner.close();
    } catch {
      // already closed by the peer
    }
  }
}

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

/** `secureSocket`: the SDK's SecureSocket class, for wss://; without it wss:// URLs are refused. */
export function moddableWebSocketConnect(secureSocket?: unknown): WebSocketConnect {
  return (options, events) => connect(options, events, secureSocket);
}

function connect(options: Parameters<WebSocketConnect>[0], events: Parameters<WebSocketConnect>[1], secureSocket: unknown): WebSocketSession {
  const target = parseWebSocketUrl(options.url);
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.onClose(reason);
  };
  if (!target || (target.secure && !secureSocket)) {
    close(target ? 'wss:// needs a build with TLS (SecureSocket)' : `not a ws:// or wss:// URL: ${options.url}`);
    return { send() {}, close() {} };
  }
  const headers: string[] = [];
  for (const name in options.headers) headers.push(name, options.headers[name]);
  const dictionary: Record<string, unknown> = { host: target.host, port: target.port, path: target.path, protocol: options.protocols.join(', '), headers };
  dictionary.Socket = GuardedSocket;
  dictionary.inner = (target.secure ? secureSocket : Socket) as SocketClass;
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
}
