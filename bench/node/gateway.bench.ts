// Gateway benches on the Node host:
//  1. RAPI exchanges per second between the gateway's client and the
//     controller's command processor over a socat pseudo-terminal pair, as a
//     ratio to what a 115200-baud 8N1 wire could carry for the same bytes.
//     A pty is not rate-limited, so the ratio says whether the software keeps
//     up with the wire: ≥ 100 % means the UART, not the code, is the limit.
//  2. Latency from a controller state change to the `<topic>/state` message at
//     an MQTT subscriber, through a real mosquitto.
//  3. GET /status requests per second through node:http.

import mqtt from 'mqtt';
import { rmSync } from 'node:fs';
import { RapiClient, isReply } from '../../modules/gateway/rapi-client';
import { SimStation } from '../../sim/station';
import { NodeClock } from '../../hosts/node/clock';
import { SerialLink } from '../../hosts/node/serial-link';
import { mqttConnect } from '../../hosts/node/mqtt-connect';
import { Mosquitto } from '../../test/node/gateway/broker';
import { ptyPair } from '../../test/node/gateway/pty-pair';
import { standalone, tempDir, until } from '../../test/node/gateway/rig';

type Result = { name: string; value: number; unit: string; note?: string };

/** 8N1: a start bit, 8 data bits, a stop bit. */
const BITS_PER_BYTE = 10;
const BAUD = 115200;

async function rapiOverPty(): Promise<Result[]> {
  const dir = tempDir('bench-pty');
  const pair = await ptyPair(dir);
  const clock = new NodeClock();
  const ctl = await SerialLink.open(pair.a, BAUD);
  const gw = await SerialLink.open(pair.b, BAUD);
  try {
    const station = new SimStation({ clock, output: ctl });
    ctl.onReceive((b) => station.receive(b));
    let bytes = 0;
    const counting = { write: (b: Uint8Array) => ((bytes += b.length), gw.write(b)) };
    const client = new RapiClient({ clock, timers: clock, link: counting });
    gw.onReceive((b) => {
      bytes += b.length;
      client.receive(b);
    });
    station.start();
    await until(() => station.controller.state === 1, 10000);
    for (let i = 0; i < 50; i++) await client.send('GS'); // warm up
    bytes = 0;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      const r = await client.send('GS');
      if (!isReply(r)) throw new Error(`bench: $GS failed: ${JSON.stringify(r)}`);
      n++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = n / seconds;
    const bytesPerExchange = bytes / n;
    const wireLimit = BAUD / BITS_PER_BYTE / bytesPerExchange;
    station.stop();
    client.close();
    return [
      { name: 'gateway: RAPI $GS exchanges over a pty', value: Math.round(perSecond), unit: 'exchanges/s', note: `${bytesPerExchange.toFixed(1)} B each` },
      {
        name: 'gateway: RAPI exchange rate vs 115200-baud wire limit',
        value: Math.round((perSecond / wireLimit) * 100),
        unit: '%',
        note: `wire limit ${Math.round(wireLimit)}/s; pty is not rate-limited, ≥ 100 % = code faster than the wire`,
      },
    ];
  } finally {
    await gw.close();
    await ctl.close();
    pair.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mqttLatency(): Promise<Result[]> {
  const dir = tempDir('bench-mqtt');
  const broker = await Mosquitto.start(dir);
  const rig = await standalone({ dir, gateway: { mqttConnect } });
  const sub = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'bench-sub' });
  try {
    await until(() => rig.gateway.monitor.ready && rig.station.controller.state === 1, 10000);
    await rig.post('/config', JSON.stringify({ mqtt_enabled: true, mqtt_server: '127.0.0.1', mqtt_port: broker.port, mqtt_topic: 'bench' }));
    await until(() => rig.gateway.mqttConnected, 10000);
    let lastState = '';
    let arrived = 0;
    sub.on('message', (_t, p) => {
      lastState = p.toString();
      arrived = performance.now();
    });
    await sub.subscribeAsync('bench/state');
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) {
      const want = i % 2 === 0 ? '3' : '1';
      if (want === '3') {
        rig.station.ev.plug();
        rig.station.ev.requestCharge(true);
      } else rig.station.ev.unplug();
      await until(() => String(rig.station.controller.state) === want, 10000, 0);
      const changed = performance.now();
      await until(() => lastState === want, 5000, 0);
      samples.push(arrived - changed);
    }
    samples.sort((a, b) => a - b);
    const median = samples[samples.length >> 1];
    return [{ name: 'gateway: controller state change → MQTT subscriber', value: Math.round(median * 10) / 10, unit: 'ms', note: `median of ${samples.length}, max ${samples[samples.length - 1].toFixed(1)} ms` }];
  } finally {
    await sub.endAsync(true);
    await rig.close();
    await broker.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function statusRate(): Promise<Result[]> {
  const rig = await standalone({});
  try {
    await until(() => rig.gateway.monitor.ready, 10000);
    const url = rig.http.url + '/status';
    let n = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (performance.now() - t0 < 2000) {
        const res = await fetch(url);
        await res.arrayBuffer();
        n++;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const perSecond = n / ((performance.now() - t0) / 1000);
    return [{ name: 'gateway: GET /status on the Node host', value: Math.round(perSecond), unit: 'req/s', note: '4 concurrent fetch clients, keep-alive' }];
  } finally {
    await rig.close();
    rmSync(rig.dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<Result[]> {
  return [...(await rapiOverPty()), ...(await mqttLatency()), ...(await statusRate())];
}

