// A `/ws` client for the black-box suite (the `ws` package, as evcc's and Home
// Assistant's clients are real WebSocket clients): keeps every message with
// its arrival time, and can wait for one that matches.

import WebSocket from 'ws';

export interface WsMessage {
  at: number;
  doc: Record<string, any>;
}

export interface WsClient {
  ws: WebSocket;
  got: WsMessage[];
  /** Resolves with the first message after index `from` that `match` accepts. */
  next(match: (doc: Record<string, any>) => boolean, ms: number, what: string, from?: number): Promise<WsMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens `/ws`; rejects with the HTTP status when the handshake is refused. */
export function openWs(baseUrl: string, headers: Record<string, string> = {}): Promise<WsClient> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws', { headers });
  const got: WsMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    got.push({ at: Date.now(), doc: JSON.parse(data.toString()) });
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: WsClient = {
    ws,
    got,
    closed,
    close: () => ws.terminate(),
    next(match, ms, what, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = got.slice(from).find((m) => match(m.doc));
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${what}: not on /ws within ${ms} ms; got ${JSON.stringify(got.slice(from).map((m) => m.doc)).slice(0, 2000)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`handshake answered ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/**
 * A client that stops reading and keeps sending {"ping":1}: every ping makes
 * the charger queue a {"pong":1} for it, so its backlog grows until the
 * charger drops it (then a write fails or the socket closes). Resolves with
 * the pings sent by then; rejects if it is still connected after `limit` pings.
 */
export async function floodWithoutReading(client: WsClient, limit: number): Promise<number> {
  const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.pause();
  let gone = false;
  socket.once('close', () => (gone = true));
  socket.once('error', () => (gone = true));
  client.ws.on('error', () => (gone = true));
  const frame = '{"ping":1}';
  let sent = 0;
  while (!gone && sent < limit) {
    // In batches, each waiting until the bytes are with the kernel, so nothing piles up here.
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 499; i++) client.ws.send(frame);
      client.ws.send(frame, () => resolve());
    });
    sent += 500;
    if (socket.writableLength > 1 << 20) await new Promise((r) => setTimeout(r, 20));
  }
  if (!gone) throw new Error(`still connected after ${sent} pings that it did not read the answers of`);
  return sent;
}
