// The gateway's RAPI client (the UART driver's protocol half): one command in
// flight, bounded queues, a reply timeout, XOR checksums out, checksums
// verified in, optional sequence ids. Async frames ($AT, $AB, ...) go to
// `onAsync` and never complete the command in flight.
//
// A reply that comes after its command timed out must never pass for the
// next command's reply. Two defences: after a timeout the line is left alone
// for a guard time and whatever arrives then is dropped; and sequence ids,
// which make the match certain. In "auto" mode the client learns whether the
// controller echoes them (RAPI ≥ 3.0.0 does): `$GV`, which takes no
// parameters so an extra token harms no version, goes out with one; if the
// reply echoes it every command carries one from then on, if not none does.
// A controller boot (`$AB`) makes it ask again.
//
// Commands wait in one bounded queue per source (HTTP, MQTT, claims, config
// writes, the monitor's polls, OCPP), served in turn by rapi-scheduler.ts, so
// a flood from one source fills only its own queue and never starves another.

import type { ByteSink, Clock, TimerId, Timers } from '../ports';
import { decode, encode, encodeBytes, type DecodeError, type Frame } from '../rapi/frame';
import { RapiScheduler } from './rapi-scheduler';
import { interpret, type AsyncType } from '../rapi/message';
import { FrameParser, type ParserOptions } from '../rapi/parser';
import { isReply, refused, sequencedReply, type RapiError, type RapiReply, type RapiResult } from './rapi-reply';

export { isReply } from './rapi-reply';
export type { RapiError, RapiReply, RapiResult } from './rapi-reply';

/** Encoding options without a sequence id, and with the longest one (for the length check). */
const NO_SEQ = {};
const PROBE_SEQ = { seq: 255 };

/**
 * Who sends a command: a source name of rapi-scheduler.ts (`http`, `mqtt`,
 * `claims`, `config`, `poll`, `ocpp`; others get the default share). `user`
 * is the old name of `http`.
 */
export type Source = string;
/** @deprecated the old name of Source */
export type Priority = Source;

export interface RapiClientOptions {
  clock: Clock;
  timers: Timers;
  /** Where commands are written (the UART, a pty, a LinkEnd). */
  link: ByteSink;
  /** Reply timeout, ms (OpenEVSE: 500). */
  timeout?: number;
  /** Longest queue per source (OpenEVSE: 10; default: each source's rule in rapi-scheduler.ts). */
  queueLimit?: number;
  /** Longest encoded command in characters, CR excluded (OpenEVSE: 80). */
  maxCommandLength?: number;
  /** Append `:ss` to every command and accept only replies that echo it; "auto": when the controller is seen to echo them. */
  sequenceIds?: boolean | 'auto';
  /** After a timeout, ms during which nothing is sent and late replies are dropped (default: half the timeout). */
  guard?: number;
  /** Accept replies without a `^xk` checksum (stock controllers always send one). */
  acceptUnchecked?: boolean;
  onAsync?(type: AsyncType, params: string[], raw: string): void;
  /** Every frame sent and received, and every dropped one, for the /evse console view */
  onTraffic?(direction: 'tx' | 'rx' | 'drop', text: string): void;
  /** Link state changes: true after any valid reply, false after a timeout. */
  onConnected?(connected: boolean): void;
}

interface Pending {
  command: string;
  params: string[];
  resolve(result: RapiResult): void;
  /** The frame as encoded when queued, without a sequence id: sent as it is if none is wanted then (no second encoding). */
  bytes?: Uint8Array;
  /** Set when it goes out. */
  seq?: number;
  sentAt: number;
}

export class RapiClient implements ParserOptions {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #link: ByteSink;
  readonly #timeout: number;
  readonly #queueLimit: number;
  readonly #maxLength: number;
  readonly #autoSequence: boolean;
  /** Sequence ids: in use, not in use, or (auto mode) not yet known. */
  #sequence: 'on' | 'off' | 'unknown';
  readonly #guard: number;
  /** No command goes out before this time (monotonic ms), after a timeout. */
  #holdUntil = -1;
  #holdTimer?: TimerId;
  readonly #acceptUnchecked: boolean;
  readonly #options: RapiClientOptions;
  readonly #parser: FrameParser;
  readonly #queue: RapiScheduler<Pending>;
  #inFlight?: Pending;
  #timer?: TimerId;
  #seq = 0;
  #sent = 0;
  #success = 0;
  #timeouts = 0;
  #connected = false;
  #closed = false;
  #lastReplyAt = -1;

  constructor(options: RapiClientOptions) {
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#link = options.link;
    this.#timeout = options.timeout ?? 500;
    this.#queueLimit = options.queueLimit ?? 10;
    this.#queue = new RapiScheduler({ limit: options.queueLimit });
    this.#maxLength = options.maxCommandLength ?? 80;
    this.#autoSequence = options.sequenceIds === 'auto';
    this.#sequence = options.sequenceIds === true ? 'on' : this.#autoSequence ? 'unknown' : 'off';
    this.#guard = options.guard ?? Math.round(this.#timeout / 2);
    this.#acceptUnchecked = options.acceptUnchecked ?? false;
    if (!(this.#timeout > 0)) throw new RangeError(`RAPI timeout must be > 0 ms: ${this.#timeout}`);
    if (!(this.#queueLimit >= 1)) throw new RangeError(`RAPI queue limit must be ≥ 1: ${this.#queueLimit}`);
    this.#options = options;
    // The client is the parser's options: its callbacks are the methods below,
    // not arrows holding a closure environment on the device's heap.
    this.#parser = new FrameParser(this);
  }

  /**
   * The parser's receive buffer: replies carry data (e.g. $GC, $GS with
   * sequence id) well past the controller's 32-byte command buffer; 100 bytes
   * as RapiSender.
   */
  get bufferSize(): number {
    return 100;
  }

  /** The parser's: a frame dropped. */
  onError(error: DecodeError, text: string): void {
    this.#options.onTraffic?.('drop', `${text} (${error})`);
  }

  /** Commands written to the link (OpenEVSE `comm_sent`). */
  get sent(): number {
    return this.#sent;
  }
  /** Valid replies received, $OK or $NK (OpenEVSE `comm_success`). */
  get success(): number {
    return this.#success;
  }
  get timeouts(): number {
    return this.#timeouts;
  }
  /** false until the first reply and after every timeout (OpenEVSE `rapi_connected`). */
  get connected(): boolean {
    return this.#connected;
  }
  /** Commands waiting, not counting the one in flight. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Commands waiting from one source. */
  queuedFrom(source: Source): number {
    return this.#queue.queued(source === 'user' ? 'http' : source);
  }
  get busy(): boolean {
    return this.#inFlight !== undefined;
  }
  /** Monotonic time of the last valid reply, or −1. */
  get lastReplyAt(): number {
    return this.#lastReplyAt;
  }
  get timeout(): number {
    return this.#timeout;
  }
  /** Whether commands carry sequence ids now. */
  get sequenceIds(): boolean {
    return this.#sequence === 'on';
  }

  /** Bytes from the controller. */
  receive(bytes: Uint8Array | string): void {
    this.#parser.receive(bytes);
  }

  /** Queues one command; resolves with the reply or a failure, never rejects. */
  send(command: string, params: readonly (string | number)[] = [], source: Source = 'http'): Promise<RapiResult> {
    return new Promise<RapiResult>((resolve) => this.request(command, params, source, resolve));
  }

  /**
   * `send` for callers inside the gateway that go on from the reply: `done` is
   * called once, with the reply or a failure (at once for a command refused
   * before the link). No promise is made: each one waiting for the link held
   * about 15 slots on the device's heap (docs/moddable.md, "Memory").
   */
  request(command: string, params: readonly (string | number)[], source: Source, done: (r: RapiResult) => void): void {
    if (this.#closed) return done({ error: 'RAPI_RESPONSE_CLOSED' });
    let strings: string[];
    let bytes: Uint8Array;
    const plain = this.#sequence === 'off';
    try {
      strings = params.length === 0 ? [] : params.map(String);
      // Encode once now so a malformed or over-long command fails here, not on the wire.
      bytes = encodeBytes(command, strings, plain ? NO_SEQ : PROBE_SEQ);
      if (bytes.length - 1 > this.#maxLength) return done({ error: 'RAPI_RESPONSE_CMD_TOO_LONG' });
    } catch {
      return done({ error: 'RAPI_RESPONSE_INVALID_COMMAND' });
    }
    const upper = command.toUpperCase();
    // encodeBytes writes the command as given: kept for the wire only when it is the upper-case word the pump would send.
    const keep = plain && upper === command;
    const queued = this.#queue.push(source === 'user' ? 'http' : source, { command: upper, params: strings, resolve: done, bytes: keep ? bytes : undefined, sentAt: 0 });
    if (!queued) return done({ error: 'RAPI_RESPONSE_QUEUE_FULL' });
    this.#pump();
  }

  /**
   * A command as a person types it: "$SC 13", "$GS^30", "GS", "$GS :2A^59".
   * It is answered as the controller would answer it: a wrong checksum or
   * sequence id gets `$NK` (the controller refuses such a frame) without
   * reaching the link; a sequence id given comes back in the reply, though on
   * the link the client's own ids are used. Text that is not a frame at all
   * (no command word, characters outside printable ASCII) is refused with
   * RAPI_RESPONSE_INVALID_COMMAND.
   */
  sendText(text: string, source: Source = 'http'): Promise<RapiResult> {
    return new Promise<RapiResult>((resolve) => this.requestText(text, source, resolve));
  }

  /**
   * sendText by callback: `done` hears the result (at once when the text is
   * refused). /r and MQTT `rapi/in` use it, so a command in flight holds no
   * promise of its own on the device's heap (docs/moddable.md "Memory").
   */
  requestText(text: string, source: Source, done: (result: RapiResult) => void): void {
    const t = text.trim();
    const decoded = decode(t.startsWith('$') ? t : '$' + t);
    if (!decoded.ok) {
      done(decoded.error === 'checksum' || decoded.error === 'sequence' ? refused() : { error: 'RAPI_RESPONSE_INVALID_COMMAND' });
      return;
    }
    const asked = decoded.frame.seq;
    if (asked === undefined) {
      this.request(decoded.frame.command, decoded.frame.params, source, done);
      return;
    }
    this.request(decoded.frame.command, decoded.frame.params, source, (r) => {
      if (!isReply(r)) return done(r);
      const echoed = encode(r.ok ? 'OK' : 'NK', r.params, { seq: asked }).slice(0, -1);
      done({ ...r, text: echoed });
    });
  }

  /** Fails everything queued and in flight; later sends fail at once. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    if (this.#holdTimer !== undefined) this.#timers.clear(this.#holdTimer);
    this.#holdTimer = undefined;
    const all = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#queue.drain()];
    this.#inFlight = undefined;
    // Nothing answers a closed client: /status must not say the link is up.
    this.#setConnected(false);
    for (const p of all) this.#deliver(p, { error: 'RAPI_RESPONSE_CLOSED' });
  }

  /** Drops a partial frame, e.g. after the UART was reopened. */
  resetLink(): void {
    this.#parser.reset();
  }

  #pump(): void {
    if (this.#inFlight || this.#closed || this.#holdTimer !== undefined) return;
    if (this.#queue.size === 0) return;
    const wait = this.#holdUntil - this.#clock.now();
    if (wait > 0) {
      this.#holdTimer = this.#timers.set(() => {
        this.#holdTimer = undefined;
        this.#pump();
      }, wait);
      return;
    }
    const next = this.#queue.next();
    if (!next) return;
    let seq: number | undefined;
    if (this.#sequence === 'on' || (this.#sequence === 'unknown' && next.command === 'GV' && next.params.length === 0)) {
      this.#seq = (this.#seq % 255) + 1; // 1…255; 00 is reserved as invalid
      seq = this.#seq;
    }
    const bytes = seq === undefined && next.bytes !== undefined ? next.bytes : encodeBytes(next.command, next.params, seq === undefined ? NO_SEQ : { seq });
    next.bytes = undefined;
    next.seq = seq;
    next.sentAt = this.#clock.now();
    this.#inFlight = next;
    this.#sent++;
    this.#timer = this.#timers.set(() => this.#expire(), this.#timeout);
    // The text without its CR, from the bytes (one call; encoding twice costs a pass per character on XS).
    if (this.#options.onTraffic) this.#options.onTraffic('tx', String.fromCharCode.apply(null, bytes.subarray(0, bytes.length - 1) as unknown as number[]));
    this.#link.write(bytes);
  }

  #expire(): void {
    this.#timer = undefined;
    const p = this.#inFlight;
    if (!p) return;
    this.#inFlight = undefined;
    this.#timeouts++;
    this.#holdUntil = this.#clock.now() + this.#guard;
    this.#setConnected(false);
    this.#options.onTraffic?.('drop', `timeout: ${p.command}`);
    this.#deliver(p, { error: 'RAPI_RESPONSE_TIMEOUT' });
    this.#pump();
  }

  /** The parser's: a valid frame received. */
  onFrame(frame: Frame, text: string): void {
    const m = interpret(frame);
    if (m.kind === 'async') {
      this.#options.onTraffic?.('rx', text);
      // Maybe another firmware now: ask again whether it echoes sequence ids.
      if (m.type === 'AB' && this.#autoSequence) this.#sequence = 'unknown';
      this.#options.onAsync?.(m.type, m.params, text);
      return;
    }
    if (m.kind !== 'reply') {
      this.#options.onTraffic?.('drop', `${text} (not a reply)`);
      return;
    }
    const p = this.#inFlight;
    if (!p) {
      // A late reply to a command that already timed out: never give it to the next one.
      this.#options.onTraffic?.('drop', `${text} (no command in flight)`);
      return;
    }
    if (frame.checksum === 'none' && !this.#acceptUnchecked) {
      this.#options.onTraffic?.('drop', `${text} (no checksum)`);
      return;
    }
    if (p.seq === undefined && m.seq !== undefined) {
      // Only a command sent with an id gets one back: this answers an earlier command.
      this.#options.onTraffic?.('drop', `${text} (sequence id, none sent)`);
      return;
    }
    if (p.seq !== undefined && m.seq !== p.seq) {
      if (!(m.seq === undefined && this.#sequence === 'unknown')) {
        this.#options.onTraffic?.('drop', `${text} (sequence id, expected ${p.seq})`);
        return;
      }
      // The probe came back without its id: this controller does not echo them.
      this.#sequence = 'off';
    } else if (p.seq !== undefined && this.#sequence === 'unknown') {
      this.#sequence = 'on';
    }
    this.#options.onTraffic?.('rx', text);
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#inFlight = undefined;
    this.#success++;
    this.#lastReplyAt = this.#clock.now();
    this.#setConnected(true);
    this.#deliver(p, m.seq === undefined ? { ok: m.ok, params: m.params, raw: text, text } : sequencedReply(m.ok, m.params, text));
    this.#pump();
  }

  // A `request` callback runs inside the link's frame handling: one that throws
  // must not stop the queue (the pump after it would not run).
  #deliver(p: Pending, r: RapiResult): void {
    try {
      p.resolve(r);
    } catch (e) {
      this.#options.onTraffic?.('drop', `reply handler of $${p.command} failed: ${(e as Error)?.message ?? e}`);
    }
  }

  #setConnected(on: boolean): void {
    if (this.#connected === on) return;
    this.#connected = on;
    this.#options.onConnected?.(on);
  }
}
