// The black-box cases of the features beyond the standard list (feature-cases.ts),
// from the outside only, on every host that has them: `npm start` (Node,
// standalone, FULL_FEATURES) and the Moddable firmware in the real simulator in
// the gateway role, RAPI over a pseudo-terminal to a Node controller, with the
// device's gateway list (GATEWAY_FEATURES: no energy history). The device's
// standalone role composes the standard list only (docs/moddable.md, "Features
// by role"), so charger.test.ts does not run these.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, beforeEach, describe, onTestFailed } from 'vitest';
import { startBroker, type Broker } from './broker';
import { featureCases } from './feature-cases';
import { moddableGatewayHost, nodeHost, type Charger, type ChargerHost } from './hosts';

async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function mosquittoPub(port: number, topic: string, payload: string): Promise<void> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-m', payload];
  return new Promise((resolve, reject) => {
    const p = spawn('mosquitto_pub', args, { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub ${args.join(' ')} exited ${code}`))));
  });
}

const hosts: { host: ChargerHost; energy: boolean }[] = [
  { host: nodeHost, energy: true },
  { host: moddableGatewayHost(), energy: false },
];

for (const { host, energy } of hosts) {
  const why = host.unavailable();
  describe.skipIf(why !== undefined)(`limit, schedule, MQTT claim, energy, HA discovery from outside: ${host.name}`, () => {
    let dir: string;
    let broker: Broker;
    let charger: Charger;
    let client: MqttClient;
    let topic: string;
    const seen: { topic: string; payload: string }[] = [];
    const json = async (path: string) => (await fetch(charger.url + path)).json() as Promise<Record<string, any>>;
    const send = (method: string, path: string, body?: unknown) =>
      fetch(charger.url + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'evse-blackbox-features-'));
      broker = await startBroker(dir);
      charger = await host.start(broker.port);
      try {
        await until(async () => (await json('/status')).rapi_connected === 1, 30_000, 'the gateway sees the controller');
        await until(async () => (await json('/status')).mqtt_connected === 1, 30_000, 'the gateway connected to MQTT');
      } catch (e) {
        throw new Error(`${(e as Error).message}; the charger printed:\n${charger.output().slice(-3000)}`);
      }
      topic = (await json('/config')).mqtt_topic;
      client = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`);
      client.on('message', (t, p) => seen.push({ topic: t, payload: p.toString() }));
      await new Promise<void>((resolve, reject) => {
        client.once('error', reject);
        client.once('connect', () => client.subscribe(`${topic}/#`, (e) => (e ? reject(e) : resolve())));
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

    featureCases({
      json,
      send,
      sim: (path, body) => fetch(charger.simUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
      energy,
      until,
      pub: (t, p) => mosquittoPub(broker.port, t, p),
      seen: () => seen,
      topic: () => topic,
      brokerPort: () => broker.port,
    });
  });
}
