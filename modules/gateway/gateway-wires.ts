// The options objects the gateway hands the RAPI client, the monitor, the MQTT
// bridge and the /ws hub, as small classes whose callbacks are methods (on the
// prototype, in flash on the device) that reach the gateway through one field.
// Each piece calls its callbacks as methods of the options object it keeps
// (`this.#options.onChange(…)`), so the object itself is the listener: an
// arrow function per callback, with the constructor's environment they share,
// cost the device 3 slots each and 4 for the environment (docs/moddable.md,
// "What holds the memory"). The arbiter passes its callbacks on the same way (arbiter.ts).

import type { ByteSink, Clock, MqttConnect, Timers } from '../ports';
import type { AsyncType } from '../rapi/message';
import type { ArbiterOptions } from './arbiter';
import type { EvseMonitorOptions } from './evse-monitor';
import type { EvseSnapshot } from './evse-snapshot';
import { heartbeatSetting } from './feature-supervision';
import type { Gateway } from './gateway';
import type { GatewayOptions } from './gateway-options';
import type { MqttBridgeOptions } from './mqtt-bridge';
import { callEach, type RetainedTopic, type Subscription } from './feature';
import { isReply, type RapiClient, type RapiClientOptions } from './rapi-client';
import type { Json } from './status';
import type { Fragment, Telemetry } from './telemetry';
import type { WsHubOptions } from './ws-hub';

type Log = (line: string) => void;

/** The RAPI client's: notifications to the monitor, traffic to the /evse log (ConsoleBuffer). */
export class ClientWires implements RapiClientOptions {
  readonly gateway: Gateway;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly link: ByteSink;
  readonly timeout?: number;
  readonly sequenceIds: boolean | 'auto';

  constructor(gateway: Gateway, options: GatewayOptions) {
    this.gateway = gateway;
    this.clock = options.clock;
    this.timers = options.timers;
    this.link = options.link;
    this.timeout = options.rapiTimeout;
    this.sequenceIds = options.sequenceIds ?? 'auto';
  }
  onAsync(type: AsyncType, params: string[]): void {
    this.gateway.monitor.handleAsync(type, params);
  }
  onTraffic(dir: 'tx' | 'rx' | 'drop', text: string): void {
    this.gateway.evse.add(`${dir === 'tx' ? '>' : dir === 'rx' ? '<' : '!'}${text}`);
  }
}

/** The monitor's: changes to the claims and the telemetry, link, boot and events to the log. */
export class MonitorWires implements EvseMonitorOptions {
  readonly gateway: Gateway;
  readonly client: RapiClient;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly log: Log;

  constructor(gateway: Gateway, client: RapiClient, options: GatewayOptions, log: Log) {
    this.gateway = gateway;
    this.client = client;
    this.clock = options.clock;
    this.timers = options.timers;
    this.log = log;
  }
  heartbeat(): { interval: number; current: number } {
    return heartbeatSetting(this.gateway);
  }
  onChange(changed: Partial<EvseSnapshot>, reason: string): void {
    // The claims first (the arbiter's table says which changes count); reporting after.
    this.gateway.arbiter.monitorChanged(changed, reason);
    this.gateway.telemetry.update();
  }
  onLink(up: boolean): void {
    this.gateway.log(up ? 'rapi: controller connected' : 'rapi: controller not answering');
  }
  onBoot(): void {
    const g = this.gateway;
    g.supervision?.forget();
    callEach(g.features, g, (f) => f.controllerBooted?.());
  }
  onEvent(type: AsyncType, params: string[]): void {
    this.gateway.log(`rapi: event $${type} ${params.join(' ')}`);
  }
}

/** The arbiter's: the monitor's snapshot, the pause setting, the re-read after accepted writes. */
export class ArbiterWires implements ArbiterOptions {
  readonly gateway: Gateway;
  readonly client: RapiClient;
  readonly log: Log;
  readonly timers: Timers;

  constructor(gateway: Gateway, options: GatewayOptions, log: Log) {
    this.gateway = gateway;
    this.client = gateway.client;
    this.log = log;
    this.timers = options.timers;
  }
  snapshot(): Readonly<EvseSnapshot> {
    return this.gateway.monitor.snapshot;
  }
  pauseUsesDisabled(): boolean {
    return this.gateway.config.get('pause_uses_disabled');
  }
  written(done: () => void): void {
    this.gateway.monitor.readThen(['GS', 'GE'], done);
  }
}

/** The MQTT bridge's: the status document, `rapi/in` to the client, a connect to the telemetry. */
export class BridgeWires implements MqttBridgeOptions {
  readonly gateway: Gateway;
  readonly connect: MqttConnect;
  readonly timers: Timers;
  readonly subscriptions: readonly Subscription[];
  readonly retained: readonly RetainedTopic[];
  readonly log: Log;
  readonly period?: number;

  constructor(gateway: Gateway, connect: MqttConnect, options: GatewayOptions, log: Log) {
    this.gateway = gateway;
    this.connect = connect;
    this.timers = options.timers;
    this.subscriptions = gateway.features.flatMap((f) => f.subscribe ?? []);
    this.retained = gateway.features.flatMap((f) => f.retained ?? []);
    this.log = log;
    this.period = options.mqttPeriod;
  }
  status(): Record<string, Json> {
    return this.gateway.telemetry.document();
  }
  rapi(command: string, done: (reply: string) => void): void {
    this.gateway.client.requestText(command.trim(), 'mqtt', (r) => done(isReply(r) ? r.text : r.error));
  }
  onConnected(): void {
    this.gateway.telemetry.update();
  }
}

/** The /ws hub's: the status document a client gets on connect. */
export class HubWires implements WsHubOptions {
  readonly telemetry: Telemetry;
  readonly maxClients?: number;
  readonly maxBuffered?: number;
  readonly log: Log;

  constructor(telemetry: Telemetry, options: GatewayOptions, log: Log) {
    this.telemetry = telemetry;
    this.maxClients = options.wsClients;
    this.maxBuffered = options.wsBuffer;
    this.log = log;
  }
  document(): Fragment {
    return this.telemetry.document();
  }
}
