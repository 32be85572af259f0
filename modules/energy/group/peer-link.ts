// Reading one peer's status stream (`ws://<address>/ws`) for load sharing:
// connect, hand every `group` message it pushes to the member, and start
// again after a close or after a silence (a peer behind a dead link sends
// nothing, and TCP may not notice for minutes). The retry and the silence
// timer are decisions, so they live here; the host's WebSocketConnect only
// opens sockets.

import type { Timers, TimerId, WebSocketConnect, WebSocketSession } from '../../ports';
import { utf8 } from './sha256';

export interface PeerLinkOptions {
  address: string;
  connect: WebSocketConnect;
  timers: Timers;
  /** HTTP Basic credentials for the peer, when it asks for them. */
  auth?: () => { user: string; pass: string } | undefined;
  /** ms without a document before the link is dropped and made again. */
  silentMs: number;
  /** ms between attempts. */
  retryMs: number;
  onGroup(doc: unknown): void;
}

/** Base64 of an ASCII/UTF-8 string, for the Authorization header (no btoa on XS). */
export function base64(text: string): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = utf8(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8) | (i + 2 < bytes.length ? bytes[i + 2] : 0);
    out += abc[(n >> 18) & 63] + abc[(n >> 12) & 63] + (i + 1 < bytes.length ? abc[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? abc[n & 63] : '=');
  }
  return out;
}

export class PeerLink {
  readonly address: string;
  readonly #o: PeerLinkOptions;
  #session?: WebSocketSession;
  #silence?: TimerId;
  #retry?: TimerId;
  #closed = false;
  #up = false;
  /** Documents read since the link was made. */
  received = 0;
  lastError = '';

  constructor(options: PeerLinkOptions) {
    this.#o = options;
    this.address = options.address;
    this.#open();
  }

  get up(): boolean {
    return this.#up;
  }

  close(): void {
    this.#closed = true;
    this.#clear();
    this.#session?.close();
    this.#session = undefined;
  }

  #clear(): void {
    if (this.#silence !== undefined) this.#o.timers.clear(this.#silence);
    if (this.#retry !== undefined) this.#o.timers.clear(this.#retry);
    this.#silence = this.#retry = undefined;
  }

  #quiet(): void {
    if (this.#silence !== undefined) this.#o.timers.clear(this.#silence);
    this.#silence = this.#o.timers.set(() => this.#drop('silent'), this.#o.silentMs);
  }

  #open(): void {
    if (this.#closed) return;
    const auth = this.#o.auth?.();
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = `Basic ${base64(`${auth.user}:${auth.pass}`)}`;
    let session: WebSocketSession | undefined;
    const mine = () => session !== undefined && session === this.#session;
    session = this.#o.connect(
      { url: `ws://${this.#o.address}/ws`, protocols: [], headers },
      {
        onOpen: () => {
          if (!mine()) return;
          this.#up = true;
          this.#quiet();
        },
        onMessage: (text) => {
          if (!mine()) return;
          this.#quiet();
          let doc: unknown;
          try {
            doc = JSON.parse(text);
          } catch {
            return;
          }
          const group = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).group : undefined;
          if (group === undefined) return;
          this.received++;
          this.#o.onGroup(group);
        },
        onClose: (reason) => {
          if (session !== this.#session) return;
          this.#drop(reason);
        },
      },
    );
    this.#session = session;
    this.#quiet();
  }

  #drop(reason: string): void {
    this.lastError = reason;
    this.#up = false;
    const s = this.#session;
    this.#session = undefined;
    this.#clear();
    s?.close();
    if (!this.#closed) this.#retry = this.#o.timers.set(() => this.#open(), this.#o.retryMs);
  }
}
