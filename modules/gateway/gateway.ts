// The gateway: what an OpenEVSE WiFi module is. This file is wiring only: it
// builds the RAPI client and monitor (controller side), the config store,
// crash log and consoles, the one telemetry stream, the inputs table and the
// claims arbiter, then composes the features (feature.ts) and hands their
// routes to the HTTP router, their topics to the MQTT bridge, their settings
// to the config store and their status fields to the telemetry stream.
// Decisions live in the features and in the pieces named above.

import type { Clock, HttpRequest, HttpResponse, Storage, Timers, TimerId } from '../ports';
import type { GatewayInfo, GatewayOptions } from './gateway-options';
import { Arbiter } from './arbiter';
import type { Claims } from './claims';
import { ConfigStore, type ConfigKey, type ConfigSpec, type ConfigValue } from './config-store';
import { ConsoleBuffer } from './console-buffer';
import { configDocument, updateConfig, type ConfigAnswer } from './config-api';
import { CrashLog } from './crash-log';
import { EvseMonitor } from './evse-monitor';
import type { Supervision } from './supervision';
import { featureSupervision, heartbeatConfigChanged } from './feature-supervision';
import { callEach, type Feature, type FeatureFactory } from './feature';
import { Context } from './feature-context';
import { STANDARD_FEATURES } from './features/standard';
import { systemFeature } from './features/system';
import { builtinBackend } from './builtin-routes';
import { HttpApi, type RapiOutcome, type ScanResult } from './http-api';
import { Inputs } from './inputs';
import { MqttBridge } from './mqtt-bridge';
import { bridgeSettings, reconfiguresMqtt } from './mqtt-settings';
import { RapiClient, isReply, type Source } from './rapi-client';
import type { HeapInfo, Json, NetworkInfo } from './status';
import { SystemView } from './system-view';
import { Telemetry, type Fragment } from './telemetry';
import { WsHub } from './ws-hub';
import { ArbiterWires, BridgeWires, ClientWires, HubWires, MonitorWires } from './gateway-wires';

export type { GatewayInfo, GatewayOptions, SystemPort } from './gateway-options';

const DEFAULT_VOLTAGE = 240;
/** How often the liveness trace for the next boot's prev_* fields is stored, ms. */
const HEARTBEAT_SAVE_MS = 60000;

export class Gateway {
  readonly client: RapiClient;
  readonly monitor: EvseMonitor;
  readonly config: ConfigStore;
  readonly crashLog: CrashLog;
  readonly arbiter: Arbiter;
  /** Only when a feature needs heartbeat supervision (load sharing); the monitor pulses otherwise. */
  readonly supervision?: Supervision;
  readonly telemetry = new Telemetry();
  readonly inputs: Inputs;
  readonly features: readonly Feature[];
  /** The `/ws` sessions; hosts hand it their WebSocket connections after `wsHandshake`. */
  readonly ws: WsHub;
  readonly debug: ConsoleBuffer;
  readonly evse: ConsoleBuffer;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #options: GatewayOptions;
  readonly #api: HttpApi;
  readonly #mqtt?: MqttBridge;
  readonly #id: string;
  readonly #startedAt: number;
  #beat?: TimerId;
  #running = false;
  /** `vehicle` as last seen, to tell the end of a session. */
  #vehicle: Json = 0;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#startedAt = options.clock.now();
    this.#id = (options.info?.id ?? '000000000000').toLowerCase();
    this.debug = new ConsoleBuffer(options.consoleSize ?? 4096);
    this.evse = new ConsoleBuffer(options.consoleSize ?? 4096);
    this.inputs = new Inputs(options.clock);
    // One closure for every piece that logs, rather than one each (slots on the device).
    const log = (line: string) => this.log(line);
    this.crashLog = new CrashLog({ storage: options.storage, resetReason: options.info?.resetReason, unixTime: this.#unixTime() });
    this.client = new RapiClient(new ClientWires(this, options));
    this.monitor = new EvseMonitor(new MonitorWires(this, this.client, options, log));
    this.arbiter = new Arbiter(new ArbiterWires(this, options, log));

    const system = systemFeature(new SystemView(this));
    this.features = [system, ...(options.features ?? STANDARD_FEATURES)].map((make) => this.#compose(make));
    this.supervision = featureSupervision(this, log);
    const extra: Record<string, ConfigSpec> = {};
    for (const f of this.features) Object.assign(extra, f.config ?? {});
    this.config = new ConfigStore({ storage: options.storage, id: this.#id, extra, log });
    for (const f of this.features) for (const s of f.status ?? []) this.telemetry.add(s);

    this.arbiter.onChange((clients) => {
      callEach(this.features, this, (f) => f.claimsChanged?.(clients));
      this.telemetry.update();
    });
    if (options.mqttConnect) {
      this.#mqtt = new MqttBridge(new BridgeWires(this, options.mqttConnect, options, log));
    }
    this.telemetry.subscribe((fragment) => this.#event(fragment));
    this.ws = new WsHub(new HubWires(this.telemetry, options, log));
    this.#api = new HttpApi(builtinBackend(this, options.system), { routes: this.features.flatMap((f) => f.routes ?? []) });
  }

  /** Bytes from the controller. */
  receive(bytes: Uint8Array | string): void {
    this.client.receive(bytes);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.log(`gateway ${this.#options.info?.version ?? ''} boot ${this.crashLog.current.boot_count} (${this.crashLog.current.reset_reason_str})`);
    callEach(this.features, this, (f) => f.start?.());
    this.monitor.start();
    this.supervision?.start();
    this.#applyMqtt();
    this.#beat = this.#timers.repeat(() => this.#saveBeat(false), HEARTBEAT_SAVE_MS);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.monitor.stop();
    this.supervision?.stop();
    this.arbiter.stop();
    callEach(this.features, this, (f) => f.stop?.());
    this.ws.closeAll();
    this.#mqtt?.stop();
    if (this.#beat !== undefined) this.#timers.clear(this.#beat);
    this.#beat = undefined;
    this.#saveBeat(true);
    this.client.close();
  }

  /** The portable HTTP router. */
  http(request: HttpRequest): Promise<HttpResponse> {
    return this.#api.handle(request);
  }

  /**
   * A WebSocket handshake for `request.path`: undefined to accept it (then
   * `ws.open(peer)`), or the HTTP answer that refuses it (404 for another
   * path, 401 or 429 without the credentials HTTP needs, 403 from a page of another site).
   */
  wsHandshake(request: HttpRequest): HttpResponse | undefined {
    if (request.path !== '/ws') return { status: 404, headers: { 'Content-Type': 'application/json' }, body: '{"msg":"Not found"}' };
    // WebSockets are not held back by CORS and a browser sends its cached credentials with the
    // handshake: a page of another site may not open one (cross-site.ts), as for a state change.
    return this.#api.guard({ ...request, method: 'WEBSOCKET' });
  }

  /** Credentials and the cross-site rule, for routers in front of this one (the simulation API); undefined to go on. */
  guard(request: HttpRequest): HttpResponse | undefined {
    return this.#api.guard(request);
  }

  log(line: string): void {
    this.debug.add(line);
    this.#options.logger?.log(line);
  }

  get clock(): Clock {
    return this.#clock;
  }

  get timers(): Timers {
    return this.#timers;
  }

  get storage(): Storage {
    return this.#options.storage;
  }

  /** Seconds since the gateway started. */
  uptime(): number {
    return Math.floor((this.#clock.now() - this.#startedAt) / 1000);
  }

  /** Publishes the retained MQTT documents whose version moved. */
  publishRetained(): void {
    this.#mqtt?.publishRetained();
  }

  get claims(): Claims {
    return this.arbiter.claims;
  }

  get id(): string {
    return this.#id;
  }

  get info(): GatewayInfo {
    return this.#options.info ?? {};
  }

  get mqttConnected(): boolean {
    return this.#mqtt?.connected ?? false;
  }

  get mqtt(): MqttBridge | undefined {
    return this.#mqtt;
  }

  /** Change events of the status document (the fields that moved). Returns the unsubscribe. */
  subscribe(listener: (changed: Fragment) => void): () => void {
    return this.telemetry.subscribe(listener);
  }

  /** Volts used for power and energy: a fresh `voltage` input (MQTT, POST /status), else the controller's, else 240 V. */
  voltage(): number {
    const v = this.inputs.get('voltage');
    if (v !== undefined) return v;
    const mv = this.monitor.snapshot.voltageMv;
    return mv > 0 ? mv / 1000 : DEFAULT_VOLTAGE;
  }

  /** A typed RAPI command, as /r and MQTT take it; `source` picks its queue (rapi-scheduler.ts). */
  rapi(command: string, source: Source = 'http'): Promise<RapiOutcome> {
    return new Promise<RapiOutcome>((resolve) => this.rapiThen(command, source, resolve));
  }

  /** rapi() by callback (no promise while the controller answers: /r on the device). */
  rapiThen(command: string, source: Source, done: (outcome: RapiOutcome) => void): void {
    const cmd = command.trim();
    this.client.requestText(cmd, source, (r) => done(isReply(r) ? { cmd, ret: r.text } : { cmd, error: r.error }));
  }

  /** The /status document. */
  status(): Record<string, unknown> {
    return this.telemetry.document();
  }

  /** The /config document, secrets masked. */
  configDoc(): Record<string, unknown> {
    return configDocument(this);
  }

  /** POST /config: see config-api.ts. */
  updateConfig(update: Record<string, unknown>): Promise<ConfigAnswer> {
    return updateConfig(this, update);
  }

  /** Settings changed (saved, or reset to defaults): tell the pieces that depend on them. */
  configChanged(keys: readonly string[]): void {
    if (reconfiguresMqtt(keys)) this.#applyMqtt();
    callEach(this.features, this, (f) => f.configChanged?.(keys));
    heartbeatConfigChanged(this, keys);
    this.telemetry.update();
  }

  /** Runs after the HTTP reply has had time to leave. */
  later(fn: () => void, ms = 500): void {
    this.#timers.set(fn, ms);
  }

  /** Applies the MQTT settings (the bridge reconnects only if they changed). */
  applyMqtt(): void {
    this.#applyMqtt();
  }

  #compose(make: FeatureFactory): Feature {
    const ctx = new Context(this);
    const feature = make(ctx);
    ctx.feature = feature;
    return feature;
  }

  #event(fragment: Fragment): void {
    this.#mqtt?.publish(fragment);
    this.#mqtt?.publishRetained();
    if (!('vehicle' in fragment)) return;
    const was = this.#vehicle;
    this.#vehicle = fragment.vehicle;
    // The session is over: claims that asked for it let go (OpenEVSE releaseAutoReleaseClaims).
    if (was !== 1 || fragment.vehicle !== 0) return;
    this.arbiter.sessionEnded();
    callEach(this.features, this, (f) => f.sessionEnded?.());
  }

  #applyMqtt(): void {
    if (!this.#mqtt || !this.#running) return;
    this.#mqtt.configure(bridgeSettings(this.config, this.#id, this.#network(), this.features));
  }

  /** Monotonic ms. */
  now(): number {
    return this.#clock.now();
  }

  network(): NetworkInfo {
    return this.#network();
  }

  /** The platform's heap figures (zeros where it has none). */
  heap(): HeapInfo {
    return this.#heap();
  }

  #network(): NetworkInfo {
    return this.#options.system?.network?.() ?? { mode: 'Wired', wifi_client_connected: 0, eth_connected: 1, ipaddress: '', srssi: 0 };
  }

  #heap(): HeapInfo {
    return this.#options.system?.heap?.() ?? { free_heap: 0, largest_free_block: 0, min_free_heap: 0 };
  }

  #unixTime(): number {
    const w = this.#options.clock.wall();
    // Before the wall clock is set (1970 on an ESP32 without SNTP) the time means nothing.
    return w > Date.UTC(2020, 0, 1) ? Math.floor(w / 1000) : 0;
  }

  #saveBeat(clean: boolean): void {
    const h = this.#heap();
    this.crashLog.beat(
      {
        uptime_ms: this.#clock.now() - this.#startedAt,
        free_heap: h.free_heap,
        largest_free_block: h.largest_free_block,
        min_free_heap: h.min_free_heap,
        unix_time: this.#unixTime(),
      },
      clean,
    );
  }
}

export type { ConfigKey, ConfigValue };
