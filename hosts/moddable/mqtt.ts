// The MqttConnect port on Moddable: our MQTT 3.1.1 client (mqtt-packet.ts)
// over an ECMA-419 TCP socket, names resolved by dns.ts. One call, one
// connection; reconnecting is modules/gateway/mqtt-bridge's decision.
//
// Why not the SDK's example client (examples/io/tcp/mqttclient, 8.2.3): after
// a PUBLISH with an empty payload it reads nothing more until its keep-alive
// gives up (26–45 s), so `mosquitto_pub -n -t …/rapi/in/$GV` froze RAPI over
// MQTT; and it resolves every name through the servers it is given, which
// made a broker named by a LAN host name unreachable.
//
// Outgoing packets wait in a queue until CONNACK, then go out as the socket
// has room (the socket throws rather than buffer); when more than 64 publishes
// wait the oldest is dropped (SUBSCRIBE, PUBACK and PINGREQ never are).

import TCP from 'embedded:io/socket/tcp';
import type { Clock, MqttConnect, MqttConnectOptions, MqttEvents, MqttSession, TimerId, Timers } from '../../modules/ports';
import { resolveHost } from './dns';
import {
  CONNACK,
  DISCONNECT_PACKET,
  PINGREQ_PACKET,
  PUBLISH,
  PacketReader,
  connectPacket,
  parsePublish,
  pubackPacket,
  publishPacket,
  subscribePacket,
  text,
  utf8,
  type Incoming,
  type PacketReaderOptions,
} from './mqtt-packet';

export interface ModdableMqttOptions {
  clock: Clock;
  timers: Timers;
  /** Most packets held while disconnected or congested. */
  queueLimit?: number;
  /** Largest packet taken from the broker, bytes. */
  maxPacket?: number;
}

/** A packet, or a function that builds it when it is about to go out. */
/** A publish waiting to go out: its fields only (a closure per publish cost three times the slots, 55 at a time at each full status publish). */
interface PendingPublish {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  id?: number;
}

type Outgoing = Uint8Array | (() => Uint8Array) | PendingPublish;

const REFUSED = ['', 'unacceptable protocol version', 'client id rejected', 'server unavailable', 'bad user name or password', 'not authorised'];

/** Builds the host's MqttConnect. */
export function moddableMqtt(options: ModdableMqttOptions): MqttConnect {
  return (connect: MqttConnectOptions, events: MqttEvents): MqttSession => new ModdableMqttSession(connect, events, options);
}

/** The session a socket's callbacks are for: its ECMA-419 `target`. */
function sessionOf(socket: TCP): ModdableMqttSession {
  return (socket as unknown as { target: ModdableMqttSession }).target;
}

// The session is its packet reader's options and its socket's `target`, and the
// socket's callbacks are one table for every session (in flash once preloaded):
// no closures over the session, whose environment also kept the CONNECT packet
// and the connect options alive for the session's life (docs/moddable.md, "What
// holds the memory").
class ModdableMqttSession implements MqttSession, PacketReaderOptions {
  static readonly #callbacks = {
    onReadable(this: TCP) {
      const data = this.read() as ArrayBuffer | undefined;
      const session = sessionOf(this);
      if (!data || session.#closed) return;
      session.#heardAt = session.#clock.now();
      try {
        session.#reader.push(new Uint8Array(data));
      } catch (e) {
        session.#fail(e instanceof Error ? e.message : String(e));
      }
    },
    onWritable(this: TCP, count: number) {
      const session = sessionOf(this);
      session.#writable = count;
      session.#flush();
    },
    onError(this: TCP) {
      sessionOf(this).#fail('connection lost');
    },
  };

  /** The packet reader's: the longest packet taken. */
  readonly maxLength: number;
  readonly #events: MqttEvents;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #limit: number;
  readonly #keepaliveMs: number;
  #socket?: TCP;
  readonly #reader: PacketReader;
  /** The packet being written, and how much of it is out. */
  #head?: Uint8Array;
  #offset = 0;
  /** SUBSCRIBE, PUBACK, PINGREQ: never dropped, sent before publishes. */
  #control: Outgoing[] = [];
  /** PUBLISH, oldest first; the oldest is dropped when more than the limit wait. */
  #publishes: Outgoing[] = [];
  #writable = 0;
  #connected = false;
  #closed = false;
  #flushing = false;
  #nextId = 1;
  #heardAt = 0;
  #sentAt = 0;
  #keepalive?: TimerId;
  /** Idle time after which a PINGREQ goes out: half the keep-alive, at least 1 s. */
  #pingAfter = 0;

  constructor(connect: MqttConnectOptions, events: MqttEvents, options: ModdableMqttOptions) {
    this.#events = events;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#limit = options.queueLimit ?? 64;
    this.#keepaliveMs = connect.keepalive * 1000;
    this.maxLength = options.maxPacket ?? 4096;
    this.#reader = new PacketReader(this);
    if (connect.protocol === 'mqtts') {
      // No TLS socket in this build: it needs more chunk and heap than the ESP32 profile has.
      this.#fail('mqtts is not supported by this firmware build');
      return;
    }
    let hello: Uint8Array;
    try {
      hello = connectPacket({
        clientId: connect.clientId,
        keepalive: connect.keepalive,
        username: connect.username || undefined,
        password: connect.password || undefined,
        will: connect.will && { topic: connect.will.topic, payload: connect.will.payload, qos: connect.will.qos, retain: connect.will.retain },
      });
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e));
      return;
    }
    resolveHost(connect.host, (address, error) => {
      if (this.#closed) return;
      if (!address) return this.#fail(error ?? `cannot resolve ${connect.host}`);
      this.#open(address, connect.port, hello);
    });
  }

  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): void {
    const pending: PendingPublish = { topic, payload, qos: options.qos, retain: options.retain };
    if (options.qos > 0) pending.id = this.#id();
    this.#enqueue(this.#publishes, pending);
  }

  subscribe(topic: string): void {
    this.#enqueue(this.#control, () => subscribePacket(this.#id(), [topic]));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopKeepalive();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#control = [];
    this.#publishes = [];
    this.#head = undefined;
    if (!socket) return;
    try {
      if (this.#connected && this.#writable >= DISCONNECT_PACKET.length) socket.write(DISCONNECT_PACKET);
    } catch {
      // no room for DISCONNECT: the broker then sends the will, which is also right
    }
    socket.close();
  }

  #open(address: string, port: number, hello: Uint8Array): void {
    try {
      this.#socket = new TCP({ address, port, nodelay: true, format: 'buffer', target: this, ...ModdableMqttSession.#callbacks });
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e));
      return;
    }
    this.#heardAt = this.#clock.now();
    this.#head = hello;
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = id === 65535 ? 1 : id + 1;
    return id;
  }

  /**
   * Packets are built when they go out, on a later turn: a publish can come
   * from deep in the gateway (an HTTP request → claims → override → publish),
   * and building and writing on top of that overflowed the XS stack (found by
   * running the simulator build with the device's 512-slot stack).
   */
  #enqueue(queue: Outgoing[], item: Outgoing): void {
    if (this.#closed) return;
    queue.push(item);
    if (queue === this.#publishes && queue.length > this.#limit) queue.shift();
    this.#scheduleFlush();
  }

  /** One flush a turn, whatever the burst. */
  #scheduleFlush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    Promise.resolve().then(() => {
      this.#flushing = false;
      this.#flush();
    });
  }

  #flush(): void {
    const socket = this.#socket;
    if (!socket || this.#closed) return;
    while (this.#writable > 0) {
      let head = this.#head;
      if (!head) {
        // Nothing but CONNECT before CONNACK; then control packets first.
        if (!this.#connected) return;
        const next = this.#control.shift() ?? this.#publishes.shift();
        if (next === undefined) return;
        try {
          head = typeof next === 'function' ? next() : next instanceof Uint8Array ? next : publishPacket(next.topic, utf8(next.payload), next);
        } catch (e) {
          return this.#fail(e instanceof Error ? e.message : String(e));
        }
        this.#head = head;
        this.#offset = 0;
      }
      const n = Math.min(head.length - this.#offset, this.#writable);
      try {
        socket.write(this.#offset === 0 && n === head.length ? head : head.subarray(this.#offset, this.#offset + n));
      } catch {
        this.#writable = 0;
        return; // no room after all: the next onWritable resumes
      }
      this.#sentAt = this.#clock.now();
      this.#writable -= n;
      this.#offset += n;
      if (this.#offset === head.length) this.#head = undefined;
    }
  }

  /** The packet reader's: a whole packet from the broker. */
  onPacket(p: Incoming): void {
    if (p.type === CONNACK) {
      if (this.#connected) return;
      const code = p.body.length === 2 ? p.body[1] : -1;
      if (code !== 0) return this.#fail(`broker refused the connection: ${REFUSED[code] ?? `code ${code}`}`);
      this.#connected = true;
      this.#startKeepalive();
      this.#events.onConnect();
      this.#scheduleFlush();
      return;
    }
    if (p.type !== PUBLISH || !this.#connected) return; // SUBACK, PUBACK, PINGRESP: hearing them is enough
    const message = parsePublish(p);
    if (message.qos === 1 && message.id !== undefined) {
      this.#control.push(pubackPacket(message.id));
      this.#scheduleFlush();
    }
    // An empty payload is a message like any other (OpenEVSE: a RAPI command without parameters).
    this.#events.onMessage(message.topic, text(message.payload));
  }

  /** PINGREQ when idle for half the keep-alive; the connection is dead after 1.5 keep-alives of silence. */
  #startKeepalive(): void {
    if (!(this.#keepaliveMs > 0)) return;
    this.#pingAfter = Math.max(1000, this.#keepaliveMs / 2);
    // An arrow that names only the method: one that did the work named every
    // field it used, and XS kept each in its environment (12 slots for the session's life).
    this.#keepalive = this.#timers.repeat(() => this.#keepaliveTick(), this.#pingAfter);
  }

  #keepaliveTick(): void {
    const now = this.#clock.now();
    const half = this.#pingAfter;
    if (now - this.#heardAt > this.#keepaliveMs * 1.5) return this.#fail('keep-alive timeout');
    if (now - this.#sentAt >= half || now - this.#heardAt >= half) {
      this.#control.push(PINGREQ_PACKET);
      this.#flush();
    }
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== undefined) this.#timers.clear(this.#keepalive);
    this.#keepalive = undefined;
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    this.#stopKeepalive();
    this.#control = [];
    this.#publishes = [];
    this.#head = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    try {
      socket?.close();
    } catch {
      // already closed by the host
    }
    // Report on a later turn, so the core never re-enters a half-torn-down session (or its own connect call).
    Promise.resolve().then(() => this.#events.onClose(reason));
  }
}
