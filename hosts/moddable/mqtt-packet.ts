// MQTT 3.1.1 packets as bytes, for the firmware's own MQTT client
// (hosts/moddable/mqtt.ts). Ours rather than the SDK example client's
// (examples/io/tcp/mqttclient, 8.2.3): that one stops parsing after a PUBLISH
// with an empty payload until its keep-alive gives up, so one
// `mosquitto_pub -n` froze RAPI over MQTT for up to 45 s. Only what the
// gateway uses: CONNECT with a will, PUBLISH at QoS 0 and 1, SUBSCRIBE at
// QoS 0, PING, DISCONNECT.
//
// Pure and portable (no SDK import, no Node): the portable tests check it on
// XS and Node, and against the mqtt-packet library on Node.

export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

/** UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** The string of UTF-8 bytes; a malformed sequence becomes U+FFFD. */
export function text(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    let c = n <= 0 ? b : b & (0x3f >> n);
    let ok = n >= 0 && i + n < bytes.length;
    for (let k = 1; ok && k <= n; k++) {
      const x = bytes[i + k];
      if ((x & 0xc0) !== 0x80) ok = false;
      c = (c << 6) | (x & 63);
    }
    if (!ok) {
      s += '\ufffd';
      i++;
      continue;
    }
    s += String.fromCodePoint(c);
    i += n + 1;
  }
  return s;
}

/** Fixed header + body. */
function packet(first: number, parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  if (length > 268435455) throw new RangeError('MQTT packet too long');
  const head = [first];
  let n = length;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 128;
    head.push(digit);
  } while (n > 0);
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 255);
}

/** A length-prefixed field. */
function field(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 65535) throw new RangeError('MQTT string longer than 65535 bytes');
  const out = new Uint8Array(bytes.length + 2);
  out[0] = bytes.length >> 8;
  out[1] = bytes.length & 255;
  out.set(bytes, 2);
  return out;
}

export interface ConnectOptions {
  clientId: string;
  /** Seconds; 0 turns keep-alive off. */
  keepalive: number;
  clean?: boolean;
  username?: string;
  password?: string;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export function connectPacket(o: ConnectOptions): Uint8Array {
  let flags = o.clean === false ? 0 : 0x02;
  const payload = [field(utf8(o.clientId))];
  if (o.will) {
    flags |= 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0);
    payload.push(field(utf8(o.will.topic)), field(utf8(o.will.payload)));
  }
  if (o.username !== undefined) {
    flags |= 0x80;
    payload.push(field(utf8(o.username)));
  }
  if (o.password !== undefined) {
    flags |= 0x40;
    payload.push(field(utf8(o.password)));
  }
  const header = Uint8Array.of(0, 4, 0x4d, 0x51, 0x54, 0x54, 4, flags, (o.keepalive >> 8) & 255, o.keepalive & 255);
  return packet(CONNECT << 4, [header, ...payload]);
}

/** `id` is needed (1–65535) for QoS 1. */
export function publishPacket(topic: string, payload: Uint8Array, o: { qos: 0 | 1; retain: boolean; id?: number }): Uint8Array {
  const parts = [field(utf8(topic))];
  if (o.qos > 0) parts.push(u16(o.id ?? 1));
  parts.push(payload);
  return packet((PUBLISH << 4) | (o.qos << 1) | (o.retain ? 1 : 0), parts);
}

export function subscribePacket(id: number, topics: string[]): Uint8Array {
  const parts = [u16(id)];
  for (const t of topics) parts.push(field(utf8(t)), Uint8Array.of(0));
  return packet((SUBSCRIBE << 4) | 2, parts);
}

export function pubackPacket(id: number): Uint8Array {
  return packet(PUBACK << 4, [u16(id)]);
}

export const PINGREQ_PACKET = Uint8Array.of(PINGREQ << 4, 0);
export const DISCONNECT_PACKET = Uint8Array.of(DISCONNECT << 4, 0);

/** One packet from the broker. */
export interface Incoming {
  type: number;
  /** The low nibble of the first byte. */
  flags: number;
  body: Uint8Array;
}

export interface Publish {
  topic: string;
  /** May be empty: an empty message is a message. */
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  /** Packet id (QoS 1 and 2). */
  id?: number;
}

/** A PUBLISH body; throws on a malformed one. */
export function parsePublish(p: Incoming): Publish {
  const b = p.body;
  if (b.length < 2) throw new Error('PUBLISH without a topic');
  const n = (b[0] << 8) | b[1];
  const qos = (p.flags >> 1) & 3;
  let at = 2 + n;
  if (at > b.length || qos === 3) throw new Error('malformed PUBLISH');
  const topic = text(b.subarray(2, at));
  let id: number | undefined;
  if (qos > 0) {
    if (at + 2 > b.length) throw new Error('PUBLISH without a packet id');
    id = (b[at] << 8) | b[at + 1];
    at += 2;
  }
  return { topic, payload: b.subarray(at), qos, retain: (p.flags & 1) === 1, id };
}

/**
 * Splits the byte stream from the broker into packets, whatever the chunking.
 * A packet longer than `maxLength` is refused (the device has no room for it).
 */
export interface PacketReaderOptions {
  maxLength?: number;
  onPacket(packet: Incoming): void;
}

export class PacketReader {
  readonly #max: number;
  /** Kept whole, `onPacket` called as its method: the MQTT session hands itself, with no arrow capturing it. */
  readonly #options: PacketReaderOptions;
  #first = -1;
  #length = 0;
  #multiplier = 1;
  #lengthDone = false;
  #body?: Uint8Array;
  #at = 0;

  constructor(options: PacketReaderOptions) {
    this.#max = options.maxLength ?? 4096;
    this.#options = options;
  }

  /** Feeds bytes; throws on a malformed or oversized packet (the connection is then unusable). */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      if (this.#first < 0) {
        this.#first = bytes[i++];
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthDone = false;
        continue;
      }
      if (!this.#lengthDone) {
        const digit = bytes[i++];
        this.#length += (digit & 127) * this.#multiplier;
        this.#multiplier *= 128;
        if (digit & 128) {
          if (this.#multiplier >= 128 * 128 * 128 * 128) throw new Error('malformed MQTT remaining length');
          continue;
        }
        this.#lengthDone = true;
        if (this.#length > this.#max) throw new Error(`MQTT packet of ${this.#length} bytes is over the ${this.#max} this device takes`);
        this.#body = new Uint8Array(this.#length);
        this.#at = 0;
        if (this.#length === 0) this.#emit();
        continue;
      }
      const body = this.#body!;
      const n = Math.min(body.length - this.#at, bytes.length - i);
      body.set(bytes.subarray(i, i + n), this.#at);
      this.#at += n;
      i += n;
      if (this.#at === body.length) this.#emit();
    }
  }

  #emit(): void {
    const first = this.#first;
    const body = this.#body!;
    this.#first = -1;
    this.#body = undefined;
    this.#options.onPacket({ type: first >> 4, flags: first & 15, body });
  }
}
