// The standalone firmware of moddable-memory.scenario.ts with the OCPP feature
// on, for its XS memory: a central system (in-process, answering as a plain
// back office does) accepts the boot; an EV charges for ten minutes of
// virtual time in a transaction with meter values every 10 s and a
// TxDefaultProfile installed; four HTTP answers are held. `offline` keeps the
// central system away for the ten minutes, so the transaction queue fills.

import { Gateway } from '../../modules/gateway/gateway';
import { ocppFeature } from '../../modules/gateway/features/ocpp';
import { STANDARD_FEATURES } from '../../modules/gateway/features/standard';
import type { ChargePoint } from '../../modules/ocpp/charge-point';
import type { HttpResponse, MqttConnect, WebSocketConnect, WebSocketEvents } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { VirtualClock } from '../../sim/clock';
import { MemoryStorage } from '../../sim/memory-storage';
import { SimStation } from '../../sim/station';

export type OcppPhase = 'ocpp-charging' | 'ocpp-offline';

function centralSystem(clock: VirtualClock, online: () => boolean): WebSocketConnect {
  let tx = 1;
  return (_options, events: WebSocketEvents) => {
    if (!online()) {
      clock.set(() => events.onClose('refused'), 5);
      return { send() {}, close() {} };
    }
    clock.set(() => events.onOpen('ocpp1.6'), 5);
    return {
      send(text) {
        const m = JSON.parse(text) as unknown[];
        if (m[0] !== 2) return;
        const action = m[2] as string;
        const payload =
          action === 'BootNotification' ? { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 }
          : action === 'StartTransaction' ? { transactionId: tx++, idTagInfo: { status: 'Accepted' } }
          : action === 'Heartbeat' ? { currentTime: '2026-01-01T00:00:00Z' }
          : action === 'Authorize' ? { idTagInfo: { status: 'Accepted' } }
          : {};
        clock.set(() => events.onMessage(JSON.stringify([3, m[1], payload])), 5);
      },
      close() {},
    };
  };
}

const noBroker: MqttConnect = (_o, events) => {
  events.onConnect();
  return { publish() {}, subscribe() {}, close() {} };
};

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

const request = (method: string, path: string, body = '', query: Record<string, string> = {}) => ({ method, path, query, headers: { host: 'openevse.local', 'content-type': 'application/json' }, body });

export async function scenario(phase: OcppPhase): Promise<object> {
  const clock = new VirtualClock();
  let online = phase === 'ocpp-charging';
  let cp: ChargePoint | undefined;
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl, storage: new MemoryStorage() });
  ctl.onReceive((b) => station.receive(b));
  const gateway = new Gateway({
    clock,
    timers: clock,
    storage: new MemoryStorage(),
    link: gw,
    mqttConnect: noBroker,
    info: { id: 'a1b2c3d4e5f6', version: '5.1.0' },
    features: [...STANDARD_FEATURES, ocppFeature({ connect: centralSystem(clock, () => online), onChargePoint: (c) => (cp = c) })],
  });
  gw.onReceive((b) => gateway.receive(b));
  station.start();
  gateway.start();
  await run(clock, 3000);
  await answer(clock, gateway.http(request('POST', '/config', JSON.stringify({ mqtt_enabled: true, mqtt_server: '192.168.1.2', mqtt_port: 1883, ocpp_enabled: true, ocpp_server: 'ws://192.168.1.3:8180/steve/websocket/CentralSystemService', ocpp_chargeBoxId: 'openevse-e5f6', ocpp_suspend_evse: true, ocpp_energize_plug: true }))));
  await run(clock, 5000);
  cp?.config.change('MeterValueSampleInterval', '10');
  cp?.receive('[2,"p1","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}}]');
  station.ev.maxCurrent = 32;
  station.ev.plug();
  station.ev.requestCharge(true);
  await run(clock, 600000, 50);
  const held: HttpResponse[] = [];
  for (const path of ['/status', '/config', '/status']) held.push(await answer(clock, gateway.http(request('GET', path))));
  held.push(await answer(clock, gateway.http(request('GET', '/r', '', { json: '1', rapi: '$GS' }))));
  online = true;
  return { clock, station, gateway, held, cp, queued: cp?.queue.size, transaction: cp?.transactions.transactionId, state: station.controller.state };
}
