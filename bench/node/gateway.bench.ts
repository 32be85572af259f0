// Gateway benches on the Node host:
//  1. RAPI exchanges per second between the gateway's client and the
//     controller's command processor over two pseudo-terminals joined by a
//     wire model that passes 11,520 bytes/s each way (115200 baud 8N1; a pty
//     alone has no baud rate), as a ratio to the wire limit for the same
//     bytes: one command in flight, so each exchange costs (request + reply)
//     × 10 bits / 115200 s on the wire, and the ratio shows how much the
//     software adds per exchange. A bare-pty rate is given for comparison.
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
import { pacedPtyPair } from '../../test/node/gateway/wire';
import { standalone, tempDir, until } from '../../test/node/gateway/rig';

type Result = { name: string; value: number; unit: string; note?: string };

/** 8N1: a start bit, 8 data bits, a stop bit. */
const BITS_PER_BYTE = 10;
const BAUD = 115200;

/**
 * $GS exchanges between the client and the controller's processor over two
 * serial ports, for `ms`; also the time the software itself takes per
 * exchange: the processor from request in to reply out, and the client from
 * reply in to the next request out.
 */
async function exchanges(a: string, b: string, ms: number): Promise<{ perSecond: number; bytesPerExchange: number; softwareMs: number }> {
  const clock = new NodeClock();
  const ctl = await SerialLink.open(a, BAUD);
  const gw = await SerialLink.open(b, BAUD);
  let bytes = 0;
  let timing = false;
  let software = 0;
  let mark = 0;
  const station = new SimStation({
    clock,
    output: {
      write: (x: Uint8Array) => {
        if (timing) software += performance.now() - mark;
        ctl.write(x);
      },
    },
  });
  const client = new RapiClient({
    clock,
    timers: clock,
    link: {
      write: (x: Uint8Array) => {
        if (timing && mark > 0) software += performance.now() - mark;
        bytes += x.length;
        gw.write(x);
      },
    },
  });
  try {
    ctl.onReceive((x) => {
      mark = performance.now();
      station.receive(x);
    });
    gw.onReceive((x) => {
      bytes += x.length;
      mark = performance.now();
      client.receive(x);
    });
    station.start();
    await until(() => station.controller.state === 1, 10000);
    for (let i = 0; i < 50; i++) await client.send('GS'); // warm up
    // the controller's own $AT/$AB frames are not part of the exchanges
    await new Promise((r) => setTimeout(r, 50));
    bytes = 0;
    mark = 0;
    timing = true;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      const r = await client.send('GS');
      if (!isReply(r)) throw new Error(`bench: $GS failed: ${JSON.stringify(r)}`);
      n++;
    }
    timing = false;
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: n / seconds, bytesPerExchange: bytes / n, softwareMs: software / n };
  } finally {
    station.stop();
    client.close();
    await gw.close();
    await ctl.close();
  }
}

/**
 * The test rig's own cost: an instant echo peer answering each request with a
 * reply of the same sizes, through the same ports and wire model. What the
 * RAPI exchanges lose beyond this is the client's and the processor's.
 */
async function echoes(a: string, b: string, request: number, reply: number, ms: number): Promise<number> {
  const far = await SerialLink.open(a, BAUD);
  const near = await SerialLink.open(b, BAUD);
  try {
    const answer = new Uint8Array(reply);
    let got = 0;
    far.onReceive((x) => {
      got += x.length;
      if (got >= request) {
        got -= request;
        far.write(answer);
      }
    });
    let done: () => void = () => {};
    let back = 0;
    near.onReceive((x) => {
      back += x.length;
      if (back >= reply) {
        back -= reply;
        done();
      }
    });
    const ask = new Uint8Array(request);
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      await new Promise<void>((r) => {
        done = r;
        near.write(ask);
      });
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await near.close();
    await far.close();
  }
}

async function rapiOverPty(): Promise<Result[]> {
  const dir = tempDir('bench-pty');
  const wire = await pacedPtyPair(dir, BAUD);
  const raw = await ptyPair(dir);
  try {
    // Through a modelled 115200-baud wire: the number the goal is about.
    const paced = await exchanges(wire.a, wire.b, 3000);
    // The wire limit for the same bytes: one command in flight, so every exchange pays for its request and its reply.
    const wireLimit = BAUD / BITS_PER_BYTE / paced.bytesPerExchange;
    // The rig alone: $GS^30\r is 7 bytes; the rest of each exchange is the reply.
    const rig = await echoes(wire.a, wire.b, 7, Math.round(paced.bytesPerExchange) - 7, 2000);
    // Through a bare pty (no baud rate): how fast the software alone could go.
    const bare = await exchanges(raw.a, raw.b, 2000);
    return [
      {
        name: 'gateway: RAPI $GS exchanges over a pty pair and a 115200-baud wire model',
        value: Math.round(paced.perSecond),
        unit: 'exchanges/s',
        note: `${paced.bytesPerExchange.toFixed(1)} B each (request + reply); wire limit ${Math.round(wireLimit)}/s`,
      },
      {
        name: 'gateway: RAPI exchange rate vs 115200-baud wire limit',
        value: Math.round((paced.perSecond / wireLimit) * 100),
        unit: '%',
        note: 'goal ≥ 90 %; compare with the rig\'s ceiling below: the gap between the two is the RAPI software',
      },
      {
        name: 'gateway: same wire model with an instant echo peer vs wire limit (the rig\'s ceiling)',
        value: Math.round((rig / wireLimit) * 100),
        unit: '%',
        note: `${Math.round(rig)} exchanges/s; the pty, socat and relay hops cost this much even with no RAPI software`,
      },
      {
        name: 'gateway: RAPI software time per exchange (processor request→reply + client reply→next request)',
        value: Math.round(paced.softwareMs * 1000),
        unit: 'µs',
        note: `${((paced.softwareMs * wireLimit) / 10).toFixed(1)} % of an exchange's wire time`,
      },
      {
        name: 'gateway: RAPI $GS exchanges over a bare pty (no wire model: software ceiling)',
        value: Math.round(bare.perSecond),
        unit: 'exchanges/s',
        note: `${bare.bytesPerExchange.toFixed(1)} B each`,
      },
    ];
  } finally {
    wire.close();
    raw.proc.kill();
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

/** Only the RAPI wire bench, for working on it: `tsx bench/node/gateway.bench.ts rapi`. */
export { rapiOverPty };

