// A day in the life of the standalone firmware (controller + gateway over the
// in-memory link, MQTT connected), on the virtual clock, for the 24-hour soak
// (test/node/fault/soak.test.ts). Portable: it runs inside the xsnap engine.
// The test runs it in three-hour cycles, snapshots the engine after each and
// reads the live heap from the snapshot, so memory is sampled on XS itself.
//
// Each three-hour cycle: an EV plugs in and charges for 30 minutes, with a
// claim and a current change along the way, and leaves; the rest of the time
// the charger idles. Throughout, a client reads /status every minute and
// /config every ten, sends RAPI over HTTP and MQTT, and the MQTT broker takes
// every publish. A cycle ends idle, so samples compare like with like.
//
// Accelerated: the controller's loop runs every 50 ms instead of 10 ms (the
// longest loop its IEC power-off check accepts, controller.ts), so a day is
// 1.7 M control ticks instead of 8.6 M; nothing else is shortened.

import { Gateway } from '../../modules/gateway/gateway';
import type { HttpRequest, HttpResponse, MqttConnect, MqttEvents } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { VirtualClock } from '../../sim/clock';
import { MemoryStorage } from '../../sim/memory-storage';
import { SimStation } from '../../sim/station';

export const CYCLE_MS = 3 * 3600_000;
/** Promise reactions run between steps of this many virtual ms (RAPI replies are handled inside a step, by timers). */
const STEP_MS = 500;

/** Counts the writes per key, for the flash-wear budget. */
class CountingStorage extends MemoryStorage {
  readonly writes: Record<string, { count: number; bytes: number }> = {};
  override write(key: string, value: string): void {
    const w = (this.writes[key] ??= { count: 0, bytes: 0 });
    w.count++;
    w.bytes = Math.max(w.bytes, value.length);
    super.write(key, value);
  }
}

export interface Day {
  clock: VirtualClock;
  station: SimStation;
  gateway: Gateway;
  controllerStorage: CountingStorage;
  gatewayStorage: CountingStorage;
  /** What went wrong: an HTTP answer other than expected, a missing MQTT reply. */
  problems: string[];
  answers: number;
  mqttReplies: number;
  published: number;
  cycles: number;
  energyWh: number;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

function request(method: string, path: string, query: Record<string, string> = {}, body = ''): HttpRequest {
  return { method, path, query, headers: { host: 'openevse.local', 'accept-encoding': 'gzip' }, body };
}

export function setup(): Day {
  const clock = new VirtualClock();
  const [gw, ctl] = LinkEnd.pair(clock);
  const controllerStorage = new CountingStorage();
  const gatewayStorage = new CountingStorage();
  const station = new SimStation({ clock, output: ctl, storage: controllerStorage, controller: { tickMs: 50 } });
  ctl.onReceive((b) => station.receive(b));
  let events: MqttEvents | undefined;
  const day: Day = { clock, station, gateway: undefined as unknown as Gateway, controllerStorage, gatewayStorage, problems: [], answers: 0, mqttReplies: 0, published: 0, cycles: 0, energyWh: 0 };
  const connect: MqttConnect = (_o, e) => {
    events = e;
    clock.set(() => e.onConnect(), 20);
    return {
      publish(topic) {
        day.published++;
        if (topic.endsWith('/rapi/out')) day.mqttReplies++;
      },
      subscribe() {},
      close() {},
    };
  };
  const gateway = new Gateway({ clock, timers: clock, storage: gatewayStorage, link: gw, mqttConnect: connect, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' } });
  day.gateway = gateway;
  gw.onReceive((b) => gateway.receive(b));
  station.start();
  gateway.start();
  (day as Day & { mqtt(): MqttEvents | undefined }).mqtt = () => events;
  return day;
}

async function http(day: Day, req: HttpRequest, want: number): Promise<void> {
  let answer: HttpResponse | undefined;
  day.gateway.http(req).then((r) => {
    answer = r;
  });
  for (let i = 0; i < 200 && !answer; i++) {
    day.clock.advance(5);
    await flush();
  }
  day.answers++;
  if (!answer) day.problems.push(`${req.method} ${req.path}: no answer`);
  else if (answer.status !== want) day.problems.push(`${req.method} ${req.path}: ${answer.status}`);
}

/** Runs `ms` of the day from where it is, in STEP_MS steps, with the cycle's events on each minute of the cycle. */
export async function advance(day: Day, ms: number): Promise<void> {
  const { clock, station } = day;
  const end = clock.now() + ms;
  const d = day as Day & { next?: number; configured?: boolean; mqtt(): MqttEvents | undefined };
  d.next ??= 0;
  while (clock.now() < end) {
    if (!d.configured) {
      d.configured = true;
      await http(day, request('POST', '/config', {}, '{"mqtt_enabled":true,"mqtt_server":"192.168.1.2","mqtt_port":1883}'), 200);
    }
    if (clock.now() >= d.next) {
      const minute = Math.floor((d.next % CYCLE_MS) / 60_000);
      d.next += 60_000;
      if (minute === 5) {
        station.ev.maxCurrent = 32;
        station.ev.plug();
        station.ev.requestCharge(true);
      }
      if (minute === 15) await http(day, request('POST', '/claims/262145', {}, '{"charge_current":16}'), 200);
      if (minute === 25) await http(day, request('DELETE', '/claims/262145'), 200);
      if (minute === 30) await http(day, request('GET', '/r', { json: '1', rapi: '$SC 24 V' }), 200);
      if (minute === 35) {
        station.ev.unplug();
        day.cycles++;
      }
      await http(day, request('GET', '/status'), 200);
      if (minute % 10 === 0) await http(day, request('GET', '/config'), 200);
      if (minute % 10 === 3) d.mqtt()?.onMessage('openevse-e5f6/rapi/in/$GS', '');
    }
    clock.advance(STEP_MS);
    await flush();
  }
  day.energyWh = day.station.controller.energy.totalWs / 3600;
}
