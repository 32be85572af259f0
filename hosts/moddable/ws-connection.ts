// One `/ws` connection on Moddable, after the handshake: the socket the SDK's
// HTTP server detached, spoken to in RFC 6455 frames, presented to the
// portable hub (modules/gateway/ws-hub.ts) as a WsPeer. It translates and
// decides nothing: what each client gets, and when a slow one is dropped, is
// the hub's.
//
// Why not the SDK's ECMA-419 endpoint (examples/io/tcp/websocketclient, which
// takes a server socket with `attach`)? It served /ws until the ESP32 profile
// with 4 clients: per connection it keeps an options object, three closures
// of its own and a copy of the callbacks, about 45 of the 75 slots a client
// cost (docs/moddable.md, "/ws on the device"). A server needs little of it:
// frames out unmasked, frames in masked, ping, pong and close. Here every
// connection shares one set of socket callbacks (in flash once preloaded),
// which find their connection through the socket's ECMA-419 `target`.
//
// When a connection is over. The SDK's socket reports an error through
// onError only when it finds it itself; on the simulator (modules/io/socket/
// lin/tcp.c in 8.2.3) a socket whose `error` is set stops polling for good, so
// an error set elsewhere is never reported and the socket goes silent: a write
// that fails (the peer reset the connection between two polls) only returns
// undefined instead of the room left, and a socket the HTTP server hands over
// already failed never calls onWritable. Left to the ping, such a client held
// its place 15–30 s (docs/moddable.md, "/ws on the device"). So a write that
// does not return a number ends the connection, as does a socket that is not
// writable within FIRST_WRITABLE_MS of the handover (a sound one is at the
// next poll, 20 ms; on lwip at once).
//
// A frame is written only when the socket has room for all of it, so
// messages wait in a queue whose size is what `buffered()` reports to the hub
// (which drops the client past its limit); a message larger than the room
// goes out as fragments. Client messages over 1 KiB are read and dropped
// (ours are {"ping":1}).

import Timer from 'timer';
import type { WsPeer, WsSession } from '../../modules/gateway/ws-hub';
import type { WsPeers, WsRoute } from './ws';

const MAX_MESSAGE = 1024;
/** What a queued message costs beside its text: its slot in the queue and the string's own (32-byte slots in the 64-bit simulator). */
const QUEUE_OVERHEAD = 64;
const OP_CONTINUATION = 0;
const OP_TEXT = 1;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;
const FIN = 0x80;
/** Longest frame header we write: 2 bytes, 2 more for a length of 126 to 65 535. */
const HEADER = 4;
/** A socket not writable this long after the handover is dead (see above). */
const FIRST_WRITABLE_MS = 1000;
/** How long a close frame we sent waits for the client to close the socket. */
const CLOSE_WAIT_MS = 500;
/** Close codes (RFC 6455 §7.4.1). */
const PROTOCOL_ERROR = 1002;

/** The ECMA-419 TCP socket as this file uses it (embedded:io/socket/tcp, `from` a detached one). */
interface Socket {
  format: 'buffer' | 'number';
  read(count?: number): ArrayBuffer | number | undefined;
  /** The room left; undefined when the write failed (the socket then says nothing more). */
  write(data: ArrayBuffer | Uint8Array): number | undefined;
  close(): void;
  target: ModdableWsPeer;
}

type SocketClass = new (options: Record<string, unknown>) => Socket;

/** One WebSocket connection after the handshake. */
export class ModdableWsPeer implements WsPeer {
  /**
   * The socket's callbacks, one set for every connection: the socket calls
   * them with itself as `this`, and its `target` is the connection.
   */
  static readonly #callbacks = {
    onReadable(this: Socket, count: number) {
      const peer = this.target;
      try {
        peer.#readable(count);
      } catch {
        // Bytes left unread would hold back the socket's report of a close behind them.
        peer.#end(true);
      }
    },
    onWritable(this: Socket, count: number) {
      const peer = this.target;
      if (peer.#watch !== undefined) {
        Timer.clear(peer.#watch);
        peer.#watch = undefined;
      }
      peer.#room = count;
      if (peer.#closing) peer.#sendClose();
      else peer.flush();
    },
    onError(this: Socket) {
      this.target.#end(true);
    },
  };

  readonly #socket: Socket;
  readonly #peers: WsPeers;
  /** Messages not yet written, as strings: a string costs one slot and its bytes, a byte array several slots. */
  readonly #queue: string[] = [];
  #queued = 0;
  /** Bytes the socket takes now. */
  #room = 0;
  /** Bytes of the queue's head already sent as fragments. */
  #sentOfHead = 0;
  #session: WsSession | undefined;
  #gone = false;
  #pong = true;
  /** A close frame waiting for room (a client refused before the socket was writable). */
  #closing: Uint8Array | undefined;
  /** Until the socket's first onWritable: ends a connection whose socket came over dead. */
  #watch: ReturnType<typeof Timer.set> | undefined;

  // The frame being read: its header so far, then its payload.
  #headerRead = 0;
  #headerLength = 2;
  #first = 0;
  #length = 0;
  #mask = 0;
  #left = 0;
  /** Payload bytes of the frame read so far (for the mask's position). */
  #at = 0;
  /** A control frame's payload (ping, close), at most 125 bytes. */
  #control: Uint8Array | undefined;
  /** The parts of the message being read; undefined while one over the limit is skipped. */
  #parts: Uint8Array[] | undefined = [];
  #size = 0;
  #binary = false;

  /** `socket`: what the HTTP connection's detach() returned. */
  constructor(socket: unknown, peers: WsPeers) {
    this.#peers = peers;
    const Tcp = (socket as { constructor: SocketClass }).constructor;
    this.#socket = new Tcp({ from: socket, target: this, ...ModdableWsPeer.#callbacks });
    this.#watch = Timer.set(() => {
      this.#watch = undefined;
      this.#end(true);
    }, FIRST_WRITABLE_MS);
  }

  /** Hands the connection to the gateway (which may refuse it and close it at once). */
  open(route: WsRoute): void {
    this.#session = route.open(this);
  }

  send(text: string): void {
    if (this.#gone) return;
    this.#queue.push(text);
    this.#queued += text.length + QUEUE_OVERHEAD;
    this.#peers.flushSoon();
  }

  /** Memory this connection holds for its backlog, bytes: the text plus what each queued message costs the heap. */
  buffered(): number {
    return this.#queued;
  }

  close(code: number, reason: string): void {
    if (this.#gone) return;
    this.#session = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
    // Not after half a fragmented message: a control frame may come between fragments, but the message would stay cut.
    if (this.#sentOfHead === 0) {
      this.#closing = closeFrame(code, reason);
      this.#sendClose();
    }
    if (!this.#gone) Timer.set(() => this.#end(true), CLOSE_WAIT_MS);
  }

  /** The route's ping period: ends a connection that did not answer the previous ping. */
  ping(): void {
    if (!this.#pong) return this.#end(true);
    this.#pong = false;
    if (this.#sentOfHead === 0) this.#frame(FIN | OP_PING, new Uint8Array(0));
  }

  /** Writes queued messages while the socket has room. */
  flush(): void {
    while (!this.#gone && this.#queue.length > 0 && this.#room > HEADER) {
      const head = this.#queue[0];
      // The bytes (UTF-8) exist only while being written; a message larger than the room
      // goes as fragments, cut at byte offsets (a character may span two: the client joins them).
      const bytes = new Uint8Array(ArrayBuffer.fromString(head));
      const start = this.#sentOfHead;
      const op = start === 0 ? OP_TEXT : OP_CONTINUATION;
      if (bytes.byteLength - start + HEADER <= this.#room) {
        if (!this.#frame(FIN | op, start === 0 ? bytes : bytes.subarray(start))) return;
        this.#queue.shift();
        this.#queued -= head.length + QUEUE_OVERHEAD;
        this.#sentOfHead = 0;
      } else {
        const n = this.#room - HEADER;
        if (!this.#frame(op, bytes.subarray(start, start + n))) return;
        this.#sentOfHead += n;
      }
    }
  }

  #sendClose(): void {
    const frame = this.#closing!;
    if (this.#room < frame.byteLength + HEADER) return;
    this.#closing = undefined;
    this.#frame(FIN | OP_CLOSE, frame);
  }

  /** One frame, unmasked (server to client); false when it was not written (no room, or the write failed and the connection ended). */
  #frame(first: number, payload: Uint8Array): boolean {
    const n = payload.byteLength;
    const header = n < 126 ? 2 : 4;
    if (header + n > this.#room) return false;
    const out = new Uint8Array(header + n);
    out[0] = first;
    if (n < 126) out[1] = n;
    else {
      out[1] = 126;
      out[2] = n >> 8;
      out[3] = n & 0xff;
    }
    out.set(payload, header);
    let room: number | undefined;
    try {
      this.#socket.format = 'buffer';
      room = this.#socket.write(out);
    } catch {
      // No room after all, or the socket is gone.
    }
    if (typeof room !== 'number') {
      // Failed: the socket will not report it (see the top of this file), so the connection ends here.
      this.#end(true);
      return false;
    }
    this.#room = room;
    return true;
  }

  #readable(count: number): void {
    const socket = this.#socket;
    while (count > 0 && !this.#gone) {
      if (this.#headerRead < this.#headerLength) {
        socket.format = 'number';
        this.#headerByte(socket.read() as number);
        count--;
        continue;
      }
      const n = count < this.#left ? count : this.#left;
      socket.format = 'buffer';
      const data = new Uint8Array(socket.read(n) as ArrayBuffer);
      count -= n;
      this.#payload(data);
    }
  }

  #headerByte(b: number): void {
    const i = this.#headerRead++;
    if (i === 0) {
      this.#first = b;
      return;
    }
    if (i === 1) {
      // A client's frames are masked (RFC 6455 §5.1); control frames are short and whole (§5.5).
      const length = b & 0x7f;
      const op = this.#first & 0x0f;
      if (!(b & 0x80) || (op >= OP_CLOSE && (length > 125 || !(this.#first & FIN)))) return this.#refuse();
      this.#length = length < 126 ? length : 0;
      this.#headerLength = 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + 4;
    } else if (i < this.#headerLength - 4) this.#length = this.#length * 256 + b;
    else this.#mask = ((this.#mask << 8) | b) >>> 0;
    if (this.#headerRead < this.#headerLength) return;
    this.#left = this.#length;
    this.#at = 0;
    const op = this.#first & 0x0f;
    if (op >= OP_CLOSE) this.#control = new Uint8Array(this.#length);
    else {
      if (op !== OP_CONTINUATION) this.#binary = op !== OP_TEXT;
      this.#size += this.#length;
      if (this.#size > MAX_MESSAGE) this.#parts = undefined;
    }
    if (this.#left === 0) this.#frameRead();
  }

  #payload(data: Uint8Array): void {
    const mask = this.#mask;
    const at = this.#at;
    for (let i = 0; i < data.length; i++) data[i] ^= (mask >>> (8 * (3 - ((at + i) & 3)))) & 0xff;
    if (this.#control) this.#control.set(data, at);
    else this.#parts?.push(data);
    this.#at += data.length;
    this.#left -= data.length;
    if (this.#left === 0) this.#frameRead();
  }

  #frameRead(): void {
    const first = this.#first;
    const op = first & 0x0f;
    const control = this.#control;
    this.#headerRead = 0;
    this.#headerLength = 2;
    this.#mask = 0;
    this.#control = undefined;
    if (op === OP_PONG) this.#pong = true;
    else if (op === OP_PING) this.#frame(FIN | OP_PONG, control!);
    else if (op === OP_CLOSE) {
      // The client closes: answer with its code, then the socket goes.
      if (!this.#gone && this.#sentOfHead === 0) this.#frame(FIN | OP_CLOSE, control!.subarray(0, 2));
      this.#end(true);
    } else if (op > OP_CLOSE || (op > 2 && op < OP_CLOSE)) this.#refuse();
    else if (first & FIN) {
      const parts = this.#parts;
      const binary = this.#binary;
      this.#parts = [];
      this.#size = 0;
      if (!parts || binary) return; // too long, or binary: ours is a small text protocol
      // Each part is a whole buffer the socket gave (read(n)); several are joined.
      let bytes = parts.length === 1 ? parts[0] : new Uint8Array(0);
      if (parts.length > 1) {
        let size = 0;
        for (const p of parts) size += p.length;
        bytes = new Uint8Array(size);
        size = 0;
        for (const p of parts) {
          bytes.set(p, size);
          size += p.length;
        }
      }
      this.#session?.receive(String.fromArrayBuffer(bytes.buffer as ArrayBuffer));
    }
  }

  /** A frame this server does not take: close 1002 and end. */
  #refuse(): void {
    if (this.#sentOfHead === 0) this.#frame(FIN | OP_CLOSE, closeFrame(PROTOCOL_ERROR, 'protocol error'));
    this.#end(true);
  }

  /** The connection is over; `socket`: close it too. */
  #end(socket: boolean): void {
    const session = this.#session;
    this.#session = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#sentOfHead = 0;
    const first = !this.#gone;
    if (this.#watch !== undefined) {
      Timer.clear(this.#watch);
      this.#watch = undefined;
    }
    if (first) {
      this.#gone = true;
      this.#peers.remove(this);
    }
    session?.closed();
    if (socket && first) {
      try {
        this.#socket.close();
      } catch {
        // already closed
      }
    }
  }
}

/** A close frame's payload: the code, then the reason (at most 100 bytes). */
function closeFrame(code: number, reason: string): Uint8Array {
  const r = new Uint8Array(ArrayBuffer.fromString(reason.slice(0, 100)));
  const frame = new Uint8Array(2 + r.byteLength);
  frame[0] = code >> 8;
  frame[1] = code & 0xff;
  frame.set(r, 2);
  return frame;
}
