// The MqttConnect port over the SDK's ECMA-419 MQTT client
// (examples/io/tcp/mqttclient, mapped in manifest.json). One call, one
// connection; no reconnecting here (modules/gateway/mqtt-bridge decides).
// Outgoing packets wait in a queue until CONNACK and then go out as the socket
// has room: the client throws rather than buffer.

import MQTTClient from 'embedded:network/mqtt/client';
import TCP from 'embedded:io/socket/tcp';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import type { MqttConnect, MqttConnectOptions, MqttEvents, MqttSession } from '../../modules/ports';
import type { MqttClientClass, MqttClientInstance, MqttWriteOptions } from '../../types/moddable/sdk';

const Client = MQTTClient as unknown as MqttClientClass;

export interface ModdableMqttOptions {
  /** DNS servers for the UDP resolver (the client resolves even IP literals). */
  dnsServers?: string[];
  /** Most packets held while disconnected or congested; older status updates are dropped first. */
  queueLimit?: number;
}

interface Pending {
  data: ArrayBuffer | null;
  options: MqttWriteOptions;
}

/** Builds the host's MqttConnect. */
export function moddableMqtt(options: ModdableMqttOptions = {}): MqttConnect {
  const servers = options.dnsServers ?? ['1.1.1.1', '8.8.8.8'];
  const limit = options.queueLimit ?? 64;
  return (connect: MqttConnectOptions, events: MqttEvents): MqttSession => new ModdableMqttSession(connect, events, servers, limit);
}

class ModdableMqttSession implements MqttSession {
  #client?: MqttClientInstance;
  #queue: Pending[] = [];
  #connected = false;
  #closed = false;
  #flushing = false;
  #message?: { topic: string; parts: ArrayBuffer[] };
  readonly #events: MqttEvents;
  readonly #limit: number;

  constructor(connect: MqttConnectOptions, events: MqttEvents, servers: string[], limit: number) {
    this.#events = events;
    this.#limit = limit;
    if (connect.protocol === 'mqtts') {
      // No TLS socket is mapped in this build (it needs chunk and heap the ESP32 profile does not have).
      this.#fail('mqtts is not supported by this firmware build');
      return;
    }
    const session = this;
    try {
      this.#client = new Client({
        host: connect.host,
        port: connect.port,
        id: connect.clientId,
        user: connect.username || undefined,
        password: connect.password || undefined,
        clean: true,
        keepalive: connect.keepalive * 1000,
        will: connect.will && { topic: connect.will.topic, message: connect.will.payload, QoS: connect.will.qos, retain: connect.will.retain },
        dns: { io: Resolver, servers, socket: { io: UDP } },
        socket: { io: TCP },
        onControl(message) {
          if (message.operation === Client.CONNACK && !session.#connected) {
            session.#connected = true;
            session.#events.onConnect();
            session.#flush();
          }
        },
        onReadable(count, info) {
          const data = this.read(count);
          if (info.topic !== undefined) session.#message = { topic: info.topic, parts: [] };
          const message = session.#message;
          if (!message) return;
          if (data) message.parts.push(data);
          if (info.more) return;
          session.#message = undefined;
          const parts = message.parts;
          const payload = parts.length === 0 ? '' : String.fromArrayBuffer(parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1)));
          session.#events.onMessage(message.topic, payload);
        },
        onWritable() {
          session.#flush();
        },
        onError() {
          session.#fail('connection lost');
        },
      });
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e));
    }
  }

  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): void {
    this.#enqueue({ data: ArrayBuffer.fromString(payload), options: { topic, QoS: options.qos, retain: options.retain } });
  }

  subscribe(topic: string): void {
    this.#enqueue({ data: null, options: { operation: Client.SUBSCRIBE, items: [{ topic, QoS: 0 }] } });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#queue = [];
    if (!client) return;
    try {
      if (this.#connected) client.write(null, { operation: Client.DISCONNECT });
    } catch {
      // no room for DISCONNECT: the broker then sends the will, which is also right
    }
    client.close();
  }

  #enqueue(item: Pending): void {
    if (this.#closed) return;
    this.#queue.push(item);
    if (this.#queue.length > this.#limit) this.#queue.shift();
    this.#scheduleFlush();
  }

  /**
   * Writes on a later turn, not inside the caller's call: a publish can come
   * from deep in the gateway (an HTTP request → claims → override → publish),
   * and the client's write path on top of that overflowed the simulator's
   * 384-slot XS stack and needed about 480 slots of the device's 512 (found by
   * running the lin build). One flush then also sends a whole burst.
   */
  #scheduleFlush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    Promise.resolve().then(() => {
      this.#flushing = false;
      this.#flush();
    });
  }

  #flush(): void {
    const client = this.#client;
    if (!client || !this.#connected) return;
    while (this.#queue.length) {
      const item = this.#queue[0];
      try {
        client.write(item.data, item.options);
      } catch {
        return; // no room: the next onWritable resumes
      }
      this.#queue.shift();
    }
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    this.#queue = [];
    // The client closes itself after onError. Report on a later turn, so the
    // core never re-enters a half-torn-down client (or its own connect call).
    this.#client = undefined;
    Promise.resolve().then(() => this.#events.onClose(reason));
  }
}
