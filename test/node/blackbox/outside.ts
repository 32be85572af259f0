// What a black-box suite holds of one charger from the outside: the charger a
// host started, a real mosquitto it publishes to, a client subscribed to its
// whole topic tree, and HTTP requests. One set-up for every suite, so that each
// suite is only its cases.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, beforeEach, onTestFailed } from 'vitest';
import { startBroker, type Broker } from './broker';
import type { Charger, ChargerHost } from './hosts';

export interface Seen {
  topic: string;
  payload: string;
  /** Date.now() when the client got it. */
  at: number;
}

export interface Outside {
  /** The charger, once the suite's beforeAll has started it. */
  readonly charger: Charger;
  readonly broker: Broker;
  /** The charger's MQTT base topic (GET /config's mqtt_topic). */
  readonly topic: string;
  /** Every message seen on `<topic>/#`, in order. */
  readonly seen: Seen[];
  get(path: string): Promise<Response>;
  json(path: string): Promise<Record<string, any>>;
  send(method: string, path: string, body?: unknown): Promise<Response>;
}

export interface OutsideOptions {
  /** Names the temporary folder (the broker's configuration and log). */
  name: string;
  /** /status fields that must read 1 before the cases run (rapi_connected, mqtt_connected), each with what it means. */
  ready: Record<string, string>;
  /** How long each of them may take, ms. */
  readyMs: number;
}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** mosquitto_pub, as a user types it; `payload` undefined sends -n (an empty message). */
export function mosquittoPub(port: number, topic: string, payload?: string): Promise<void> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, ...(payload === undefined ? ['-n'] : ['-m', payload])];
  return new Promise((resolve, reject) => {
    const p = spawn('mosquitto_pub', args, { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Registers, in the calling describe, the start of a broker and of a charger on `host`, the wait
 * for its `ready` fields, the subscription, the charger's output printed under a failed case, and
 * the tear-down; returns what the cases use.
 */
export function chargerFromOutside(host: ChargerHost, options: OutsideOptions): Outside {
  let dir: string | undefined;
  let broker: Broker | undefined;
  let charger: Charger | undefined;
  let client: MqttClient | undefined;
  let topic = '';
  const seen: Seen[] = [];
  const get = (path: string) => fetch(charger!.url + path);
  const json = async (path: string) => (await get(path)).json() as Promise<Record<string, any>>;
  const send = (method: string, path: string, body?: unknown) =>
    fetch(charger!.url + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `evse-${options.name}-`));
    broker = await startBroker(dir);
    charger = await host.start(broker.port);
    try {
      for (const [field, what] of Object.entries(options.ready)) await until(async () => (await json('/status'))[field] === 1, options.readyMs, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the charger printed:\n${charger.output().slice(-3000)}`);
    }
    topic = (await json('/config')).mqtt_topic;
    const c = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`);
    client = c;
    c.on('message', (t, p) => seen.push({ topic: t, payload: p.toString(), at: Date.now() }));
    await new Promise<void>((resolve, reject) => {
      c.once('error', reject);
      c.once('connect', () => c.subscribe(`${topic}/#`, (e) => (e ? reject(e) : resolve())));
    });
  }, 600_000);

  beforeEach(() => {
    onTestFailed(() => console.error(`${host.name} printed:\n${charger?.output().slice(-3000)}`));
  });

  afterAll(async () => {
    client?.end(true);
    await charger?.stop();
    await broker?.stop();
    await host.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    get charger() {
      return charger!;
    },
    get broker() {
      return broker!;
    },
    get topic() {
      return topic;
    },
    seen,
    get,
    json,
    send,
  };
}
