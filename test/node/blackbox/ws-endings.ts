// The ways a `/ws` client's connection can end, for the black-box case that
// requires the charger to free the client's place at once however it ends:
// orderly (a close frame, a half-close) and abrupt (FIN without a close frame,
// a reset, a reset while the charger is writing to it, a connection that goes
// during the handshake). The abrupt ones are what made the Moddable simulator
// keep a place until its ping timeout (docs/moddable.md, "/ws on the device").

import { connect as tcpConnect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openWs, type WsClient } from './ws-client';

function socketOf(client: WsClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

/** How an open client goes. */
export const endings: Record<string, (client: WsClient) => void> = {
  'a close frame, not waiting for the answer': (c) => {
    c.ws.close(1000, 'bye');
    socketOf(c).destroy();
  },
  'a close frame, waiting for the answer': (c) => c.ws.close(4002, 'bye'),
  'FIN without a close frame': (c) => c.ws.terminate(),
  'a half-close (FIN, still reading)': (c) => socketOf(c).end(),
  'a reset (RST)': (c) => socketOf(c).resetAndDestroy(),
  // The charger answers each {"ping":1} on a later turn: it writes to a connection that is gone.
  'pings, then FIN before the answers': (c) => {
    for (let i = 0; i < 3; i++) c.ws.send('{"ping":1}');
    socketOf(c).destroy();
  },
  'pings, then a reset before the answers': (c) => {
    for (let i = 0; i < 3; i++) c.ws.send('{"ping":1}');
    socketOf(c).resetAndDestroy();
  },
};

/** A client's text frame (masked, as a client's must be). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i & 3])]);
}

type HandshakeEnding = (socket: Socket, answered: boolean) => boolean;

/** How a connection goes during its handshake (on `path`): right after the request, or when the answer comes. */
export const handshakeEndings: Record<string, { path: string; go: HandshakeEnding }> = {
  'FIN right after the upgrade request': { path: '/ws', go: (s, answered) => (answered ? false : (s.end(), true)) },
  // Bytes behind the request, read with it: the simulator's firmware answered inside the SDK
  // server's read loop, which then read them on a socket it had handed over (XS abort).
  'a frame right behind the request, then FIN': { path: '/ws', go: (s, answered) => (answered ? false : (s.end(clientFrame('{"ping":1}')), true)) },
  'a frame right behind a refused request (404), then FIN': { path: '/no-ws-here', go: (s, answered) => (answered ? false : (s.end(clientFrame('{"ping":1}')), true)) },
  'a reset right after the upgrade request': { path: '/ws', go: (s, answered) => (answered ? false : (s.resetAndDestroy(), true)) },
  'a reset when the 101 arrives': { path: '/ws', go: (s, answered) => (answered ? (s.resetAndDestroy(), true) : false) },
};

/**
 * Sends the upgrade request on a bare socket and ends it as `how` says;
 * resolves when the socket is gone (the charger closed its side too), or
 * after 5 s with the socket destroyed (the place check after it tells).
 */
export function handshakeAndGo(baseUrl: string, { path, go: how }: { path: string; go: HandshakeEnding }): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const s = tcpConnect(Number(port), hostname, () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      let done = how(s, false);
      s.on('data', () => {
        if (!done) done = how(s, true);
      });
    });
    const timer = setTimeout(() => s.destroy(), 5_000);
    s.on('error', () => {});
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A client that has its first message (the status document) within `ms` of
 * `since`, trying again while the charger refuses it as one too many (1013).
 * Throws with what it got otherwise.
 */
export async function placeWithin(baseUrl: string, since: number, ms: number, headers?: Record<string, string>): Promise<WsClient> {
  for (let refused = 0; ; refused++) {
    const c = await openWs(baseUrl, headers);
    const left = Math.max(since + ms - Date.now(), 1);
    const first = await Promise.race([
      c.next(() => true, left, 'the first message').then(
        () => undefined,
        () => ({ code: 0, reason: `no message within ${ms} ms` }),
      ),
      c.closed,
    ]);
    if (!first) return c;
    c.close();
    if (first.code !== 1013 || Date.now() > since + ms) {
      throw new Error(`/ws: no place within ${ms} ms (${refused} refusals with 1013, then ${first.code} ${first.reason})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asserts that a client beyond the charger's places is refused with 1013 (the count of places holds). */
export async function refusedAsOneTooMany(baseUrl: string): Promise<void> {
  const c = await openWs(baseUrl);
  const first = await Promise.race([c.next(() => true, 5_000, 'a message').then(() => undefined), c.closed]);
  c.close();
  if (first?.code !== 1013) throw new Error(`/ws: a client beyond the places was ${first ? `closed with ${first.code}` : 'given a place'}, not refused with 1013`);
}
