// The standalone firmware (controller + gateway over the in-memory link) in
// the states whose memory the XS `creation` sizes must hold. Portable: it runs
// inside the xsnap engine, driven by bench/node/moddable-memory.bench.ts.
//
//   idle      booted, gateway probing and polling, MQTT connected, no EV
//   charging  an EV drawing 32 A for ten minutes of virtual time, MQTT
//             publishing, and four HTTP answers (/status, /config, /r, a
//             second /status) held as a four-socket server holds them while
//             sending
//   energy    charging as above, built with solar divert and the current
//             shaper as well (main.ts with "energy": true), eco mode on and
//             solar readings posted every 10 s

import { Gateway } from '../../modules/gateway/gateway';
import { ENERGY_FEATURES, STANDARD_FEATURES } from '../../modules/gateway/features/standard';
import type { HttpResponse, MqttConnect } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { VirtualClock } from '../../sim/clock';
import { MemoryStorage } from '../../sim/memory-storage';
import { SimStation } from '../../sim/station';

export type Phase = 'idle' | 'charging' | 'energy';

/** A broker that accepts the connection after 20 ms and every publish. */
function acceptingBroker(clock: VirtualClock): { connect: MqttConnect; published: () => number } {
  let published = 0;
  const connect: MqttConnect = (_options, events) => {
    clock.set(() => events.onConnect(), 20);
    return {
      publish() {
        published++;
      },
      subscribe() {},
      close() {},
    };
  };
  return { connect, published: () => published };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

async function run(clock: VirtualClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

async function answer(clock: VirtualClock, p: Promise<HttpResponse>): Promise<HttpResponse> {
  let result: HttpResponse | undefined;
  p.then((r) => {
    result = r;
  });
  for (let i = 0; i < 1000 && !result; i++) {
    clock.advance(5);
    await flush();
  }
  if (!result) throw new Error('no HTTP answer');
  return result;
}

function get(path: string, query: Record<string, string> = {}) {
  return { method: 'GET', path, query, headers: { host: 'openevse.local', 'user-agent': 'bench' }, body: '' };
}

export async function scenario(phase: Phase): Promise<object> {
  const clock = new VirtualClock();
  const broker = acceptingBroker(clock);
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl, storage: new MemoryStorage() });
  ctl.onReceive((b) => station.receive(b));
  const gateway = new Gateway({
    clock,
    timers: clock,
    storage: new MemoryStorage(),
    link: gw,
    mqttConnect: broker.connect,
    info: { id: 'a1b2c3d4e5f6', version: '5.1.0' },
    features: phase === 'energy' ? [...STANDARD_FEATURES, ...ENERGY_FEATURES] : undefined,
  });
  gw.onReceive((b) => gateway.receive(b));
  station.start();
  gateway.start();
  await run(clock, 3000);
  // MQTT on, as a user would set it through /config.
  await answer(clock, gateway.http({ method: 'POST', path: '/config', query: {}, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mqtt_enabled: true, mqtt_server: '192.168.1.2', mqtt_port: 1883 }) }));
  await run(clock, 5000);
  const held: HttpResponse[] = [];
  if (phase === 'energy') {
    await answer(clock, gateway.http({ method: 'POST', path: '/config', query: {}, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ divert_enabled: true, current_shaper_enabled: true, current_shaper_max_pwr: 10000 }) }));
  }
  if (phase === 'charging' || phase === 'energy') {
    station.ev.maxCurrent = 32;
    station.ev.plug();
    station.ev.requestCharge(true);
    if (phase === 'energy') {
      for (let t = 0; t < 600000; t += 10000) {
        await answer(clock, gateway.http({ method: 'POST', path: '/status', query: {}, headers: { 'content-type': 'application/json' }, body: '{"solar":5000,"shaper_live_pwr":3000}' }));
        await run(clock, 10000, 50);
      }
    } else await run(clock, 600000, 50);
    held.push(await answer(clock, gateway.http(get('/status'))));
    held.push(await answer(clock, gateway.http(get('/config'))));
    held.push(await answer(clock, gateway.http(get('/r', { json: '1', rapi: '$GS' }))));
    held.push(await answer(clock, gateway.http(get('/status'))));
  }
  return { clock, station, gateway, held, state: station.controller.state, published: broker.published() };
}
