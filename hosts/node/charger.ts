// One charger on this machine, as the options describe it: by default the
// simulated controller and EV and the gateway in one process over an
// in-memory RAPI link, HTTP with the dashboard, and an embedded MQTT broker
// that the gateway publishes to; other roles put a real serial port on either
// side of the link. This file wires hosts to the core and decides nothing a
// charger decides.

import { join } from 'node:path';
import { Gateway } from '../../modules/gateway/gateway';
import { loadSharingFeature } from '../../modules/gateway/features/load-sharing';
import { dashboard } from './dashboard';
import type { HttpRequest, HttpResponse, Logger, MqttConnect } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { SimControlApi, withSimControl } from '../../sim/control-api';
import { SimStation } from '../../sim/station';
import { banner } from './banner';
import type { RunningBroker } from './broker';
import { mqttSettings, UsageError, type CliOptions, type Role } from './cli-options';
import { NodeClock } from './clock';
import { deviceId } from './device-id';
import { FileStorage } from './file-storage';
import { serveHttp, type RunningHttpServer } from './http-server';
import { serveWs } from './ws-server';
import { lazyMqttConnect } from './mqtt-lazy';
import { wsConnect } from './ocpp-socket';
import { ENERGY_FEATURES, FULL_FEATURES } from '../../modules/gateway/features/standard';
import { ocppFeature } from '../../modules/gateway/features/ocpp';
import type { SerialLink } from './serial-link';
import type { NodeServiceDiscovery } from './service-discovery';
import { nodeSystem } from './system';

// serialport, mqtt and aedes take about half a second to load together, so
// they load when used: serialport only with --serial, MQTT after HTTP answers
// (ws, bonjour-service likewise: ws-server.ts, ocpp-socket.ts, below).
let mqttPackage: Promise<MqttConnect> | undefined;
const loadMqtt = () => (mqttPackage ??= import('./mqtt-connect').then((m) => m.mqttConnect));

export interface RunningCharger {
  options: CliOptions;
  http: RunningHttpServer;
  broker?: RunningBroker;
  station?: SimStation;
  gateway?: Gateway;
  sim?: SimControlApi;
  /** Lines for the start-up banner. */
  banner(): string[];
  /** Stops everything, state saved; safe to call twice. */
  close(): Promise<void>;
}

function notFound(role: Role): (req: HttpRequest) => Promise<HttpResponse> {
  return () =>
    Promise.resolve({
      status: 404,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ msg: `this is a ${role}: only /sim/... is served here` }),
    });
}

/** Starts the charger described by `options`. */
export async function startCharger(options: CliOptions, logger: Logger = { log: () => {} }): Promise<RunningCharger> {
  const clock = new NodeClock();
  const closers: (() => Promise<void> | void)[] = [];
  let closing: Promise<void> | undefined;
  const cleanup = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        logger.log(`shutdown: ${(e as Error).message}`);
      }
    }
  };
  // Settled once HTTP has answered its first request (or a second after it listens): see below.
  let answered: () => void = () => {};
  const httpFirst = new Promise<void>((resolve) => {
    answered = () => {
      answered = () => {};
      setImmediate(resolve); // after the answer is written
    };
  });
  try {
    let station: SimStation | undefined;
    let gateway: Gateway | undefined;
    let sim: SimControlApi | undefined;
    let broker: RunningBroker | undefined;
    let serial: SerialLink | undefined;
    const tagged = (tag: string): Logger => ({ log: (line) => logger.log(`${tag} ${line}`) });

    if (options.serial) {
      const { SerialLink } = await import('./serial-link');
      serial = await SerialLink.open(options.serial, options.baud);
      closers.push(() => serial!.close());
    }

    // The controller side: the simulated station, on the in-memory link or the serial port.
    let gatewayLink: { write(b: Uint8Array): void; onReceive(r: (b: Uint8Array) => void): void } | undefined = serial;
    if (options.role !== 'gateway') {
      let output: { write(b: Uint8Array): void; onReceive(r: (b: Uint8Array) => void): void };
      if (serial) output = serial;
      else {
        const [gw, ctl] = LinkEnd.pair(clock);
        output = ctl;
        gatewayLink = gw;
      }
      station = new SimStation({ clock, storage: new FileStorage(join(options.stateDir, 'controller')), output, logger: tagged('evse:') });
      output.onReceive((b) => station!.receive(b));
      sim = new SimControlApi(station, { clock });
      station.start();
      closers.push(() => station!.stop());
    }

    let rebooted: ((g: Gateway) => void) | undefined;

    // The gateway side. A restart (POST /restart, /reset) is what a reboot is
    // on the device: the running gateway stops (MQTT says goodbye, state is
    // saved) and a new one starts from storage, on the same link, HTTP port
    // and broker, so every client reconnects to a working charger.
    if (options.role !== 'controller') {
      const link = gatewayLink!;
      // DNS-SD sockets (and the package) only when load sharing asks for them (group_mdns).
      let mdns: NodeServiceDiscovery | undefined;
      const discovery = {
        browse: (onFound: (address: string, txt: Record<string, string>) => void) => {
          let stopped = false;
          let stop = () => {};
          void import('./service-discovery').then((m) => {
            if (stopped) return;
            mdns ??= new m.NodeServiceDiscovery();
            stop = mdns.browse(onFound).stop;
          });
          return {
            stop: () => {
              stopped = true;
              stop();
            },
          };
        },
      };
      closers.push(() => mdns?.destroy());
      const id = await deviceId(options.stateDir);
      const mqttConnect = options.mqtt.kind === 'none' ? undefined : lazyMqttConnect(() => httpFirst.then(loadMqtt));
      let restarts = 0;
      // A reboot of the gateway, as on the device: /restart, /reset and an OCPP Reset all come here;
      // what holds the gateway outside it (mDNS) is told of the new one.
      const restart = (g: Gateway): void => {
        if (closing || gateway !== g) return;
        g.stop();
        restarts++;
        logger.log(`gw: restarting (restart ${restarts} of this process)`);
        boot().then(
          (next) => {
            if (closing) next.stop();
            else rebooted?.(next);
          },
          (e) => logger.log(`gw: restart failed: ${(e as Error).message}`),
        );
      };
      const boot = async (): Promise<Gateway> => {
        const g: Gateway = new Gateway({
          clock,
          timers: clock,
          storage: new FileStorage(join(options.stateDir, 'gateway')),
          link,
          mqttConnect,
          features: [
            ...FULL_FEATURES,
            ...ENERGY_FEATURES,
            ocppFeature({ connect: wsConnect, restart: () => void clock.set(() => restart(g), 1000) }),
            loadSharingFeature({ connect: wsConnect, discovery }),
          ],
          logger: tagged('gw:'),
          info: { id, version: '5.1.0', buildenv: `evse-xs-node-${options.role}` },
          // A PC has the memory for many dashboards and integrations at once.
          wsClients: 64,
          wsBuffer: 256 * 1024,
          system: nodeSystem({
            ipaddress: options.httpHost === '0.0.0.0' ? undefined : options.httpHost,
            file: dashboard,
            restart: () => restart(g),
          }),
        });
        gateway = g;
        // Flags decide the broker at every start, over what /config stored; at
        // the first start the embedded one is not up yet, so nothing connects until it is.
        if (options.mqtt.kind === 'embedded') {
          await g.updateConfig(broker ? { mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: broker.host, mqtt_port: broker.port, mqtt_user: '', mqtt_pass: '' } : { mqtt_enabled: false });
        } else if (options.mqtt.kind === 'external') {
          const r = await g.updateConfig(mqttSettings(options.mqtt.url));
          if (r.status !== 200) throw new UsageError(`--mqtt: ${String(r.body.msg)}`);
        }
        if (options.ocpp) {
          const r = await g.updateConfig({ ocpp_enabled: true, ocpp_server: options.ocpp.server, ...(options.ocpp.chargeBoxId ? { ocpp_chargeBoxId: options.ocpp.chargeBoxId } : {}) });
          if (r.status !== 200) throw new UsageError(`--ocpp: ${String(r.body.msg)}`);
        }
        g.start();
        return g;
      };
      link.onReceive((b) => gateway?.receive(b));
      await boot();
      closers.push(() => gateway!.stop());
    }

    const charger = gateway ? (req: HttpRequest) => gateway!.http(req) : notFound(options.role);
    const guard = gateway ? (req: HttpRequest) => gateway!.guard(req) : undefined;
    const handler = sim ? withSimControl(sim, charger, guard) : charger;
    const http = await serveHttp(
      async (req) => {
        try {
          return await handler(req);
        } finally {
          answered();
        }
      },
      { port: options.httpPort, host: options.httpHost },
    );
    // Loading a package blocks the event loop (the broker and the MQTT client
    // together take ~300 ms on a busy machine): they wait until HTTP has
    // answered its first request, or a second has passed without one.
    setTimeout(() => answered(), 1000).unref();
    closers.push(() => http.close());
    if (gateway) {
      const ws = serveWs(http, () => gateway!);
      closers.push(() => ws.close());
      // The `ws` package (for /ws and OCPP) loads after the first answer too, so a first /ws client rarely waits for it.
      void httpFirst.then(() => ws.preload()).catch((e: Error) => logger.log(`ws: ${e.message}`));
      if (options.mdns) {
        // bonjour-service is one more package to load: after the first answer, like MQTT.
        let mdns: { close(): Promise<void> } | undefined;
        let closed = false;
        let advertise: ((g: Gateway, port: number) => { close(): Promise<void> }) | undefined;
        void httpFirst.then(async () => {
          advertise = (await import('./mdns')).advertise;
          if (!closed) mdns = advertise(gateway!, http.port);
        });
        // A restarted gateway is advertised anew (its hostname may have changed with /reset).
        rebooted = (g) => {
          if (closed || !advertise) return;
          void mdns?.close();
          mdns = advertise(g, http.port);
        };
        closers.push(() => {
          closed = true;
          return mdns?.close();
        });
      }
    }

    // HTTP answers from here on; the embedded broker comes up behind it.
    if (gateway && options.mqtt.kind === 'embedded') {
      await httpFirst;
      const { startBroker } = await import('./broker');
      broker = await startBroker({ port: options.mqtt.port });
      // Closed last, after the gateway has said goodbye to it.
      closers.unshift(() => broker!.close());
      await gateway!.updateConfig({ mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: broker.host, mqtt_port: broker.port, mqtt_user: '', mqtt_pass: '' });
    }

    return {
      options,
      http,
      broker,
      station,
      get gateway() {
        return gateway;
      },
      sim,
      banner: () => banner(options, http, broker, gateway),
      close: () => (closing ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
