// The MQTT client's decisions: when to connect and reconnect (with back-off),
// the retained announce and last will of seed 001, one topic per status field
// (`<topic>/<field>`) every 30 s and on change, RAPI over `<topic>/rapi/in/#`
// with replies on `<topic>/rapi/out`, and the features' topics: what they
// subscribe to, and their retained JSON documents (republished when their
// version moves and on every connect).
// The host adapter only connects, publishes, subscribes and reports; publishing
// is fire-and-forget, so a slow or dead broker never holds up RAPI or HTTP.

import type { MqttConnect, MqttSession, TimerId, Timers } from '../ports';
import { subscriptionTopic, type RetainedTopic, type Subscription } from './feature';
import type { Json } from './status';

/** Between two members of a retained set, ms. */
const SET_TURN_MS = 50;

export interface MqttSettings {
  enabled: boolean;
  protocol: 'mqtt' | 'mqtts';
  server: string;
  port: number;
  /** Base topic. */
  topic: string;
  user: string;
  pass: string;
  rejectUnauthorized: boolean;
  retained: boolean;
  /** The topics the features subscribe to, one per line: a change reconnects. */
  topics: string;
  announceTopic: string;
  /** Device id and name for the announce payload, and the http URL. */
  id: string;
  name: string;
  http: string;
}

/** Back-off before reconnect attempt `n` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
}

/**
 * The RAPI command carried by a message on `<base>/rapi/in/<cmd>`: the topic
 * suffix from `$`, then the payload as parameters. undefined when the topic is
 * not a RAPI input.
 */
export function rapiCommand(base: string, topic: string, payload: string): string | undefined {
  const prefix = base + '/rapi/in/';
  if (!topic.startsWith(prefix)) return undefined;
  const cmd = topic.slice(prefix.length).trim();
  if (cmd === '') return undefined;
  const args = payload.trim();
  return (cmd.startsWith('$') ? cmd : '$' + cmd) + (args ? ' ' + args : '');
}

/**
 * A RAPI request's payload may end in `|<id>` (1–64 of A–Z a–z 0–9 _ . : -):
 * the reply on `<base>/rapi/out` then ends in the same `|<id>`, so clients
 * sharing the topic can tell their replies apart. RAPI parameters never
 * contain `|`; a payload without one is the plain form.
 */
export function correlation(payload: string): { args: string; id?: string } {
  const bar = payload.lastIndexOf('|');
  if (bar < 0) return { args: payload };
  const id = payload.slice(bar + 1).trim();
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) return { args: payload };
  return { args: payload.slice(0, bar), id };
}

/** The retained announce (connected) and last-will (disconnected) payloads. */
export function announcePayloads(s: Pick<MqttSettings, 'id' | 'name' | 'topic' | 'http'>): { connected: string; will: string } {
  return {
    connected: JSON.stringify({ state: 'connected', id: s.id, name: s.name, mqtt: s.topic, http: s.http }),
    will: JSON.stringify({ state: 'disconnected', id: s.id, name: s.name }),
  };
}

/** A voltage read from `mqtt_vrms`, V; undefined if not a plausible mains voltage. */
export function parseVrms(payload: string): number | undefined {
  const v = Number(payload.trim());
  return Number.isFinite(v) && v >= 60 && v <= 300 ? v : undefined;
}

export interface MqttBridgeOptions {
  connect: MqttConnect;
  timers: Timers;
  /** The full set of status fields to publish. */
  status(): Record<string, Json>;
  /** A RAPI command from `rapi/in`; `done` hears the reply text (a callback: no promise while the controller answers). */
  rapi(command: string, done: (reply: string) => void): void;
  /** The features' subscriptions and retained documents. */
  subscriptions?: readonly Subscription[];
  retained?: readonly RetainedTopic[];
  onConnected?(connected: boolean): void;
  log?(line: string): void;
  /** Full publish period, ms (30 000). */
  period?: number;
  /** Give up a connect attempt that neither connects nor closes, ms (15 000). */
  connectTimeout?: number;
  keepalive?: number;
}

function same(a: MqttSettings | undefined, b: MqttSettings): boolean {
  if (!a) return false;
  for (const k of Object.keys(b) as (keyof MqttSettings)[]) if (a[k] !== b[k]) return false;
  return true;
}

export class MqttBridge {
  readonly #options: MqttBridgeOptions;
  readonly #timers: Timers;
  #settings?: MqttSettings;
  #session?: MqttSession;
  /** Bumped on every new session, so events of an old one are ignored. */
  #generation = 0;
  #connected = false;
  #attempt = 0;
  #retry?: TimerId;
  #guard?: TimerId;
  #periodic?: TimerId;
  #published = 0;
  #connects = 0;
  /** Version of each retained document as last published in this session. */
  #retainedSent: Record<string, number> = {};
  /** Fields to publish on the next turn (publish). */
  #pending?: Record<string, Json>;
  /** A retained set being published, one member a turn, and the next member's index. */
  #set?: RetainedTopic;
  #setAt = 0;
  #setTimer?: TimerId;

  constructor(options: MqttBridgeOptions) {
    this.#options = options;
    this.#timers = options.timers;
  }

  get connected(): boolean {
    return this.#connected;
  }
  /** Messages handed to the session since start. */
  get published(): number {
    return this.#published;
  }
  /** Successful connections since start. */
  get connects(): number {
    return this.#connects;
  }

  /** Applies settings; a change closes the connection and starts a new one at once. */
  configure(settings: MqttSettings): void {
    const old = this.#settings;
    if (same(old, settings)) return;
    // Leaving a broker or an announce topic for good: leave "disconnected" behind
    // there. On the same broker and topic the new "connected" overwrites it anyway.
    const leaving = !settings.enabled || old?.server !== settings.server || old?.port !== settings.port || old?.announceTopic !== settings.announceTopic;
    if (old && leaving && this.#connected && this.#session) this.#send(this.#session, old.announceTopic, announcePayloads(old).will, true, 1);
    this.#settings = { ...settings };
    this.#teardown();
    this.#attempt = 0;
    if (settings.enabled && settings.server !== '') this.#open();
  }

  /** Says goodbye on the announce topic (a planned stop fires no last will), then closes. */
  stop(): void {
    const s = this.#settings;
    if (s && this.#connected && this.#session) this.#send(this.#session, s.announceTopic, announcePayloads(s).will, true, 1);
    this.#settings = undefined;
    this.#teardown();
  }

  /**
   * Publishes fields as `<topic>/<field>` if connected; otherwise they wait
   * for the next full publish. They go out on a later turn, merged with any
   * others of this turn: a change event comes from deep in the gateway (a
   * RAPI frame → the monitor → telemetry), and publishing on top of that was
   * the deepest stack path of the ESP32 profile (docs/moddable.md, "Memory").
   */
  publish(fields: Record<string, Json>): void {
    if (!this.#connected || !this.#settings || !this.#session) return;
    const pending = this.#pending;
    if (pending) {
      for (const k in fields) pending[k] = fields[k];
      return;
    }
    this.#pending = { ...fields };
    const generation = this.#generation;
    void Promise.resolve().then(() => this.#publishPending(generation));
  }

  #publishPending(generation: number): void {
    const fields = this.#pending;
    this.#pending = undefined;
    const s = this.#settings;
    const session = this.#session;
    if (!fields || generation !== this.#generation || !this.#connected || !s || !session) return;
    const docs = this.#options.retained ?? [];
    for (const k in fields) {
      // `limit` is both a status field (true/false) and the retained JSON limit: the document wins the topic.
      let document = false;
      for (const d of docs) if (!d.absolute && d.topic === k) document = true;
      if (!document) this.#send(session, `${s.topic}/${k}`, String(fields[k]), s.retained);
    }
  }

  #send(session: MqttSession, topic: string, payload: string, retain: boolean, qos: 0 | 1 = 0): void {
    try {
      session.publish(topic, payload, { retain, qos });
      this.#published++;
    } catch (e) {
      this.#options.log?.(`mqtt: publish failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #open(): void {
    const s = this.#settings;
    if (!s) return;
    const generation = ++this.#generation;
    const mine = () => generation === this.#generation;
    const announce = announcePayloads(s);
    this.#options.log?.(`mqtt: connecting to ${s.protocol}://${s.server}:${s.port} (attempt ${this.#attempt + 1})`);
    this.#guard = this.#timers.set(() => {
      this.#guard = undefined;
      if (mine() && !this.#connected) this.#closed(generation, 'connect timeout');
    }, this.#options.connectTimeout ?? 15000);
    try {
      this.#session = this.#options.connect(
        {
          protocol: s.protocol,
          host: s.server,
          port: s.port,
          clientId: s.name,
          username: s.user || undefined,
          password: s.pass || undefined,
          keepalive: this.#options.keepalive ?? 30,
          rejectUnauthorized: s.rejectUnauthorized,
          will: { topic: s.announceTopic, payload: announce.will, retain: true, qos: 1 },
        },
        {
          onConnect: () => {
            if (mine()) this.#opened(announce.connected);
          },
          onMessage: (topic, payload) => {
            if (mine()) this.#message(topic, payload);
          },
          onClose: (reason) => this.#closed(generation, reason),
        },
      );
    } catch (e) {
      this.#closed(generation, e instanceof Error ? e.message : String(e));
    }
  }

  #opened(announce: string): void {
    const s = this.#settings!;
    const session = this.#session!;
    if (this.#guard !== undefined) this.#timers.clear(this.#guard);
    this.#guard = undefined;
    this.#connected = true;
    this.#attempt = 0;
    this.#connects++;
    this.#options.log?.(`mqtt: connected to ${s.server}:${s.port}`);
    this.#send(session, s.announceTopic, announce, true, 1);
    const topics = [`${s.topic}/rapi/in/#`];
    for (const sub of this.#options.subscriptions ?? []) {
      const t = subscriptionTopic(sub, s.topic);
      if (t === '' || topics.includes(t)) continue;
      topics.push(t);
    }
    for (const topic of topics) {
      const refused = (reason: string) => this.#options.log?.(`mqtt: subscribe to ${topic} failed: ${reason}`);
      try {
        session.subscribe(topic, refused);
      } catch (e) {
        refused(e instanceof Error ? e.message : String(e));
      }
    }
    this.#options.onConnected?.(true);
    this.#retainedSent = {};
    this.publishRetained();
    this.publish(this.#options.status());
    this.#periodic = this.#timers.repeat(() => this.publish(this.#options.status()), this.#options.period ?? 30000);
  }

  /** The retained documents whose version moved since they were last published (all of them after a connect). */
  publishRetained(): void {
    const s = this.#settings;
    const session = this.#session;
    if (!s || !this.#connected || !session) return;
    for (const r of this.#options.retained ?? []) {
      const v = r.version();
      if (this.#retainedSent[r.topic] === v) continue;
      this.#retainedSent[r.topic] = v;
      if (r.count !== undefined) this.#startSet(r);
      else this.#send(session, r.absolute ? r.topic : `${s.topic}/${r.topic}`, r.payload(), true);
    }
  }

  // One member a turn (SET_TURN_MS apart), from the first again when the set's version moves:
  // the 12 Home Assistant documents queued at once would hold their 7 KB of topics and payloads
  // together in the session's queue (docs/features.md, "Memory on the device").
  #startSet(r: RetainedTopic): void {
    this.#set = r;
    this.#setAt = 0;
    if (this.#setTimer === undefined) this.#setTimer = this.#timers.repeat(() => this.#nextMember(), SET_TURN_MS);
  }

  #nextMember(): void {
    const r = this.#set;
    const session = this.#session;
    if (!r || !this.#connected || !session || this.#setAt >= (r.count ?? 0)) {
      this.#stopSet();
      return;
    }
    const m = r.member!(this.#setAt++);
    this.#send(session, m.topic, m.payload, true);
  }

  #stopSet(): void {
    if (this.#setTimer !== undefined) this.#timers.clear(this.#setTimer);
    this.#setTimer = undefined;
    this.#set = undefined;
  }

  #message(topic: string, payload: string): void {
    const s = this.#settings;
    if (!s) return;
    let handled = false;
    for (const sub of this.#options.subscriptions ?? []) {
      if (subscriptionTopic(sub, s.topic) !== topic) continue;
      handled = true;
      try {
        sub.onMessage(payload, topic);
      } catch (e) {
        this.#options.log?.(`mqtt: ${topic}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (handled) return;
    const { args, id } = correlation(payload);
    const command = rapiCommand(s.topic, topic, args);
    if (command === undefined) return;
    const generation = this.#generation;
    this.#options.rapi(command, (reply) => {
      // The reply goes out only on the session that asked.
      if (generation !== this.#generation || !this.#connected || !this.#session) return;
      this.#send(this.#session, `${s.topic}/rapi/out`, id === undefined ? reply : `${reply}|${id}`, false);
    });
  }

  #closed(generation: number, reason: string): void {
    if (generation !== this.#generation) return;
    const was = this.#connected;
    this.#teardown();
    this.#options.log?.(`mqtt: ${was ? 'disconnected' : 'connect failed'}: ${reason}`);
    const s = this.#settings;
    if (!s || !s.enabled) return;
    const delay = reconnectDelay(this.#attempt++);
    this.#retry = this.#timers.set(() => {
      this.#retry = undefined;
      this.#open();
    }, delay);
  }

  #teardown(): void {
    this.#generation++;
    this.#pending = undefined;
    this.#stopSet();
    for (const t of [this.#retry, this.#guard, this.#periodic]) if (t !== undefined) this.#timers.clear(t);
    this.#retry = this.#guard = this.#periodic = undefined;
    const session = this.#session;
    this.#session = undefined;
    const was = this.#connected;
    this.#connected = false;
    if (session) {
      try {
        session.close();
      } catch {
        // already closed
      }
    }
    if (was) this.#options.onConnected?.(false);
  }
}
