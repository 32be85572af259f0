// The gateway: what an OpenEVSE WiFi module is. It wires the RAPI client and
// the monitor (controller side), the config store, crash log and consoles,
// the HTTP routes and the MQTT bridge, and holds the decisions that join them:
// which /config fields go to the controller over RAPI, where the voltage comes
// from, what goes to MQTT when something changes.

import type { ByteSink, Clock, HttpRequest, HttpResponse, Logger, MqttConnect, Storage, Timers, TimerId } from '../ports';
import { ChargeTarget, activeState } from './charge-target';
import { Claims, Client, Priority, parseProperties, propertiesJson, type EvseProperties } from './claims';
import { ConfigStore, type ConfigKey, type ConfigValue } from './config-store';
import { ConsoleBuffer } from './console-buffer';
import { CrashLog } from './crash-log';
import { EvseMonitor, type EvseSnapshot } from './evse-monitor';
import { HttpApi, type HttpBackend, type RapiOutcome, type ScanResult } from './http-api';
import { MqttBridge, type MqttSettings } from './mqtt-bridge';
import { RapiClient, isReply, type RapiResult } from './rapi-client';
import { evseFields, isoTime, localIsoTime, utcOffset, type HeapInfo, type Json, type NetworkInfo } from './status';
import { minutesEast } from './time-zone';

export interface GatewayInfo {
  /** Device id, 12 hex digits (the MAC on an ESP32). */
  id?: string;
  /** Gateway firmware version (python-openevse-http gates features on it). */
  version?: string;
  buildenv?: string;
  /** Flash size, bytes. */
  espflash?: number;
  /** The host's reset reason (ESP-IDF code) if it knows it. */
  resetReason?: number;
}

/** What the host can tell and do; every member optional. */
export interface SystemPort {
  network?(): NetworkInfo;
  heap?(): HeapInfo;
  scan?(): Promise<ScanResult[]> | ScanResult[];
  /** Reboots the gateway (after the HTTP reply has gone out). */
  restart?(): void;
  apOff?(): void;
  /** New Wi-Fi credentials were saved. */
  joinNetwork?(ssid: string, pass: string): void;
  /** Static files for the dashboard. */
  file?(path: string): HttpResponse | undefined;
}

export interface GatewayOptions {
  clock: Clock;
  timers: Timers;
  storage: Storage;
  /** To the controller. */
  link: ByteSink;
  mqttConnect?: MqttConnect;
  logger?: Logger;
  info?: GatewayInfo;
  system?: SystemPort;
  /** RAPI reply timeout, ms (500). */
  rapiTimeout?: number;
  /** RAPI sequence ids: "auto" (default) uses them once the controller is seen to echo them. */
  sequenceIds?: boolean | 'auto';
  /** MQTT full-publish period, ms (30 000). */
  mqttPeriod?: number;
  /** Characters kept by /debug and /evse (4096 each). */
  consoleSize?: number;
}

/** ECF flag bits of `$GE`, set when a check is turned off; and the `$FF` letter that turns it on and off. */
const CHECKS: readonly { key: string; short: string; bit: number; feature: string }[] = [
  { key: 'diode_check', short: 'diodet', bit: 0x0002, feature: 'D' },
  { key: 'vent_check', short: 'ventt', bit: 0x0004, feature: 'V' },
  { key: 'ground_check', short: 'groundt', bit: 0x0008, feature: 'G' },
  { key: 'relay_check', short: 'relayt', bit: 0x0010, feature: 'R' },
  { key: 'gfci_check', short: 'gfcit', bit: 0x0200, feature: 'F' },
  { key: 'temp_check', short: 'tempt', bit: 0x0400, feature: 'T' },
];
const FLAG_L2 = 0x0001;
const FLAG_AUTO_SERVICE_OFF = 0x0020;

/** A voltage from `mqtt_vrms` is trusted this long, ms (OpenEVSE: 120 s). */
const VRMS_VALID_MS = 120000;
const DEFAULT_VOLTAGE = 240;
/** How often the liveness trace for the next boot's prev_* fields is stored, ms. */
const HEARTBEAT_SAVE_MS = 60000;

type RapiWrite = { field: string; command: string; params: (string | number)[] };

/** What a claims or override route answers. */
export type ClaimAnswer = { status: number; body: unknown };

export class Gateway {
  readonly client: RapiClient;
  readonly monitor: EvseMonitor;
  readonly config: ConfigStore;
  readonly crashLog: CrashLog;
  /** Who wants the charger in which state: the manual override, API clients (evcc, Home Assistant). */
  readonly claims = new Claims();
  readonly debug: ConsoleBuffer;
  readonly evse: ConsoleBuffer;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #options: GatewayOptions;
  readonly #api: HttpApi;
  readonly #target: ChargeTarget;
  readonly #mqtt?: MqttBridge;
  /** Bumped when the manual override changes (OpenEVSE `override_version`). */
  #overrideVersion = 0;
  readonly #id: string;
  readonly #startedAt: number;
  #vrms?: { volts: number; at: number };
  #lastSv = 0;
  #beat?: TimerId;
  #running = false;
  /** The telemetry last handed to MQTT and listeners, to send only what changed. */
  #lastFields: Record<string, Json> = {};
  readonly #listeners = new Set<(changed: Record<string, Json>) => void>();

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#startedAt = options.clock.now();
    this.#id = (options.info?.id ?? '000000000000').toLowerCase();
    this.debug = new ConsoleBuffer(options.consoleSize ?? 4096);
    this.evse = new ConsoleBuffer(options.consoleSize ?? 4096);
    this.config = new ConfigStore({ storage: options.storage, id: this.#id, log: (l) => this.log(l) });
    this.crashLog = new CrashLog({ storage: options.storage, resetReason: options.info?.resetReason, unixTime: this.#unixTime() });
    this.client = new RapiClient({
      clock: options.clock,
      timers: options.timers,
      link: options.link,
      timeout: options.rapiTimeout,
      sequenceIds: options.sequenceIds ?? 'auto',
      onAsync: (type, params) => this.monitor.handleAsync(type, params),
      onTraffic: (dir, text) => this.evse.add(`${dir === 'tx' ? '>' : dir === 'rx' ? '<' : '!'}${text}`),
    });
    this.monitor = new EvseMonitor({
      client: this.client,
      clock: options.clock,
      timers: options.timers,
      heartbeat: () => ({ interval: this.config.get('heartbeat_interval'), current: this.config.get('heartbeat_current') }),
      onChange: (changed, reason) => {
        this.#changed(changed);
        if (reason === 'at' || reason === 'boot' || reason === 'connect') void this.#target.controllerChanged();
      },
      onLink: (up) => this.log(up ? 'rapi: controller connected' : 'rapi: controller not answering'),
      onBoot: () => {
        this.#lastSv = 0;
      },
      onEvent: (type, params) => this.log(`rapi: event $${type} ${params.join(' ')}`),
      log: (l) => this.log(l),
    });
    this.#target = new ChargeTarget({
      claims: this.claims,
      client: this.client,
      snapshot: () => this.monitor.snapshot,
      pauseUsesDisabled: () => this.config.get('pause_uses_disabled'),
      written: () => this.monitor.read('GS', 'GE'),
      log: (l) => this.log(l),
    });
    if (options.mqttConnect) {
      this.#mqtt = new MqttBridge({
        connect: options.mqttConnect,
        timers: options.timers,
        status: () => this.#telemetry(),
        rapi: async (command) => {
          const r = await this.rapi(command);
          return 'ret' in r ? r.ret : r.error;
        },
        onVoltage: (v) => this.#setVrms(v),
        override: (payload) => void this.#mqttOverride(payload),
        overrideDoc: () => {
          const o = this.override();
          return JSON.stringify(Object.keys(o).length ? o : { state: 'null' });
        },
        log: (l) => this.log(l),
        period: options.mqttPeriod,
      });
    }
    this.#api = new HttpApi(this.#backend());
  }

  /** Bytes from the controller. */
  receive(bytes: Uint8Array | string): void {
    this.client.receive(bytes);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.log(`gateway ${this.#options.info?.version ?? ''} boot ${this.crashLog.current.boot_count} (${this.crashLog.current.reset_reason_str})`);
    this.monitor.start();
    this.#applyMqtt();
    this.#beat = this.#timers.repeat(() => this.#saveBeat(false), HEARTBEAT_SAVE_MS);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.monitor.stop();
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

  log(line: string): void {
    this.debug.add(line);
    this.#options.logger?.log(line);
  }

  get mqttConnected(): boolean {
    return this.#mqtt?.connected ?? false;
  }

  get mqtt(): MqttBridge | undefined {
    return this.#mqtt;
  }

  /** Live updates for a dashboard: the /status fields that changed. Returns the unsubscribe. */
  subscribe(listener: (changed: Record<string, Json>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Volts used for power and energy: `mqtt_vrms` if fresh, else the controller's, else 240 V. */
  voltage(): number {
    const v = this.#vrms;
    if (v && this.#clock.now() - v.at <= VRMS_VALID_MS) return v.volts;
    const mv = this.monitor.snapshot.voltageMv;
    return mv > 0 ? mv / 1000 : DEFAULT_VOLTAGE;
  }

  /** A typed RAPI command, as /r and MQTT take it. */
  async rapi(command: string): Promise<RapiOutcome> {
    const cmd = command.trim();
    const r = await this.client.sendText(cmd);
    return isReply(r) ? { cmd, ret: r.text } : { cmd, error: r.error };
  }

  /** The /status document. */
  status(): Record<string, unknown> {
    const net = this.#network();
    const heap = this.#heap();
    const now = this.#clock.now();
    const wall = this.#clock.wall();
    // UTC offset of the configured zone ("Region/City|POSIX rule") at this moment
    const east = minutesEast(this.config.get('time_zone'), wall);
    return {
      mode: net.mode,
      wifi_client_connected: net.wifi_client_connected,
      eth_connected: net.eth_connected,
      net_connected: net.wifi_client_connected || net.eth_connected ? 1 : 0,
      ipaddress: net.ipaddress,
      srssi: net.srssi,
      emoncms_connected: 0,
      packets_sent: 0,
      packets_success: 0,
      mqtt_connected: this.mqttConnected ? 1 : 0,
      ohm_hour: 'None',
      nofos_connected: 0,
      ocpp_connected: 0,
      free_heap: heap.free_heap,
      largest_free_block: heap.largest_free_block,
      min_free_heap: heap.min_free_heap,
      comm_sent: this.client.sent,
      comm_success: this.client.success,
      rapi_connected: this.client.connected ? 1 : 0,
      evse_connected: this.monitor.ready ? 1 : 0,
      ...this.#fields(),
      freeram: heap.free_heap,
      divertmode: 1,
      divert_active: false,
      solar: 0,
      grid_ie: 0,
      divert_update: 0,
      ota_update: 0,
      uptime: Math.floor((now - this.#startedAt) / 1000),
      time: isoTime(wall),
      local_time: localIsoTime(wall, east),
      offset: utcOffset(east),
      config_version: this.config.version,
      claims_version: this.claims.version,
      override_version: this.#overrideVersion,
      ...this.crashLog.fields(),
    };
  }

  // --- Claims and the manual override (OpenEVSE evse_man.cpp, manual.cpp, web_server_claims.cpp)

  /** GET /override: the override's properties, or {} when there is none. */
  override(): Record<string, unknown> {
    const c = this.claims.get(Client.Manual);
    return c ? propertiesJson(c.properties) : {};
  }

  /** POST /override: the posted properties replace the override; auto_release defaults to true. */
  async setOverride(doc: unknown): Promise<ClaimAnswer> {
    const parsed = parseProperties(doc);
    if (!parsed.ok) return { status: 400, body: { msg: parsed.error } };
    const props = parsed.properties;
    if (props.auto_release === undefined) props.auto_release = true;
    if (!(await this.#claim(Client.Manual, Priority.Manual, props))) return { status: 500, body: { msg: 'Failed to claim manual override' } };
    return { status: 201, body: { msg: 'Created' } };
  }

  /** PATCH /override: without an override, claim the opposite of what the charger does now; with one, release it. */
  async toggleOverride(): Promise<ClaimAnswer> {
    const ok = this.claims.has(Client.Manual)
      ? await this.#release(Client.Manual)
      : await this.#claim(Client.Manual, Priority.Manual, { state: activeState(this.monitor.snapshot) === 'active' ? 'disabled' : 'active', auto_release: true });
    return ok ? { status: 200, body: { msg: 'Updated' } } : { status: 500, body: { msg: 'Failed to toggle manual override' } };
  }

  /** DELETE /override. */
  async clearOverride(): Promise<ClaimAnswer> {
    if (!(await this.#release(Client.Manual))) return { status: 500, body: { msg: 'Failed to release manual override' } };
    return { status: 200, body: { msg: 'Deleted' } };
  }

  /** GET /claims, /claims/{client}, /claims/target. */
  claimsDoc(client?: number | 'target'): ClaimAnswer {
    if (client === undefined) {
      return { status: 200, body: this.claims.list().map((c) => ({ client: c.client, priority: c.priority, ...propertiesJson(c.properties) })) };
    }
    if (client === 'target') {
      const t = this.claims.target();
      return { status: 200, body: { properties: propertiesJson({ ...t.properties, state: t.properties.state ?? this.#statusText() }), claims: t.owners } };
    }
    const c = this.claims.get(client);
    if (!c) return { status: 404, body: { msg: 'Not found' } };
    return { status: 200, body: { priority: c.priority, ...propertiesJson(c.properties) } };
  }

  /** POST /claims/{client}: an API claim, priority 500. */
  async setClaim(client: number, doc: unknown): Promise<ClaimAnswer> {
    const parsed = parseProperties(doc);
    if (!parsed.ok) return { status: 400, body: { msg: parsed.error } };
    if (!(await this.#claim(client, Priority.Api, parsed.properties))) return { status: 400, body: { msg: 'Could not make claim' } };
    return { status: 200, body: { msg: 'done' } };
  }

  /** DELETE /claims/{client}. */
  async releaseClaim(client: number): Promise<ClaimAnswer> {
    if (!(await this.#release(client))) return { status: 404, body: { msg: 'Not found' } };
    return { status: 200, body: { msg: 'done' } };
  }

  async #claim(client: number, priority: number, props: EvseProperties): Promise<boolean> {
    const before = this.claims.version;
    if (!this.claims.claim(client, priority, props)) return false;
    if (this.claims.version !== before) await this.#claimsChanged(client === Client.Manual);
    return true;
  }

  async #release(client: number): Promise<boolean> {
    if (!this.claims.release(client)) return false;
    await this.#claimsChanged(client === Client.Manual);
    return true;
  }

  /** `<base>/override/set`: JSON properties, `toggle` or `clear`, as POST, PATCH and DELETE /override. */
  async #mqttOverride(payload: string): Promise<void> {
    const p = payload.trim();
    let r: ClaimAnswer;
    if (p === 'toggle') r = await this.toggleOverride();
    else if (p === 'clear') r = await this.clearOverride();
    else {
      let doc: unknown;
      try {
        doc = JSON.parse(p);
      } catch {
        return this.log('mqtt: override/set: could not parse JSON');
      }
      r = await this.setOverride(doc);
    }
    if (r.status >= 400) this.log(`mqtt: override/set: ${JSON.stringify(r.body)}`);
  }

  async #claimsChanged(manual: boolean): Promise<void> {
    if (manual) {
      this.#overrideVersion++;
      this.#mqtt?.publishOverride();
    }
    this.log(`claims: ${JSON.stringify(this.claims.target().properties)} (version ${this.claims.version})`);
    this.#changed({});
    await this.#target.claimsChanged();
  }

  /** `active` or `disabled`: what the claims hold the charger to, else what the controller does. */
  #statusText(): 'active' | 'disabled' {
    return this.#target.wanted().state ?? activeState(this.monitor.snapshot);
  }

  /** The controller's telemetry with the gateway's view of it (status, override). */
  #fields(): Record<string, Json> {
    return {
      ...evseFields(this.monitor.snapshot, this.voltage()),
      status: this.#statusText(),
      manual_override: this.claims.has(Client.Manual) ? 1 : 0,
    };
  }

  /** The /config document, secrets masked. */
  configDoc(): Record<string, unknown> {
    const s = this.monitor.snapshot;
    const doc: Record<string, unknown> = {
      firmware: s.firmware || '-',
      protocol: s.protocol || '-',
      espflash: this.#options.info?.espflash ?? 4194304,
      identifier: this.#id,
      wifi_serial: this.#id,
      buildenv: this.#options.info?.buildenv ?? 'evse-xs',
      version: this.#options.info?.version ?? '5.1.0',
    };
    for (const c of CHECKS) {
      // As OpenEVSE reports them: 1 when the ECF "disabled" bit is set.
      doc[c.short] = s.flags & c.bit ? 1 : 0;
      doc[c.key] = (s.flags & c.bit) === 0;
    }
    Object.assign(doc, {
      service: s.flags & FLAG_L2 ? 2 : 1,
      auto_service: (s.flags & FLAG_AUTO_SERVICE_OFF) === 0,
      scale: s.scale,
      offset: s.offset,
      amplimit: s.maxCurrentHard,
      min_current_hard: s.minCurrent,
      max_current_hard: s.maxCurrentHard,
      max_current_soft: s.maxCurrentSoft,
      mqtt_supported_protocols: ['mqtt', 'mqtts'],
      http_supported_protocols: ['http'],
      nofos_network_profiles: ['Disabled', 'GSM only', 'GSM with fallback to WiFi', 'WiFi only', 'WiFI with fallback to GSM'],
      ...this.config.masked(),
      config_version: this.config.version,
    });
    return doc;
  }

  /** POST /config: gateway fields are checked and saved, controller fields written over RAPI. */
  async updateConfig(update: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const checked = this.config.validate(update);
    if (!checked.ok) return { status: 400, body: { msg: checked.error } };
    const writes = this.#controllerWrites(update);
    if (typeof writes === 'string') return { status: 400, body: { msg: writes } };
    const changed = this.config.apply(checked.changes);
    if (changed.length) this.log(`config: changed ${changed.join(', ')}`);
    if (changed.some((k) => k.startsWith('mqtt_') || k === 'hostname')) this.#applyMqtt();
    if (changed.some((k) => k === 'heartbeat_interval' || k === 'heartbeat_current')) {
      void this.client.send('SY', [this.config.get('heartbeat_interval'), this.config.get('heartbeat_current')]);
    }
    for (const w of writes) {
      const r = await this.client.send(w.command, w.params);
      if (!isReply(r)) return { status: 500, body: { msg: r.error, config_version: this.config.version } };
      if (!r.ok) return { status: 400, body: { msg: `controller refused ${w.field}`, config_version: this.config.version } };
    }
    if (writes.length) await this.monitor.refresh();
    return { status: 200, body: { msg: 'done', config_version: this.config.version } };
  }

  /** The RAPI writes a partial /config asks for, or the first error. */
  #controllerWrites(update: Record<string, unknown>): RapiWrite[] | string {
    const out: RapiWrite[] = [];
    const s = this.monitor.snapshot;
    for (const c of CHECKS) {
      const v = update[c.key];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') return `${c.key} must be true or false`;
      out.push({ field: c.key, command: 'FF', params: [c.feature, v ? 1 : 0] });
    }
    if (update.service !== undefined) {
      const v = String(update.service).toUpperCase();
      if (v !== '1' && v !== '2' && v !== 'A') return 'service must be 1, 2 or "A"';
      out.push({ field: 'service', command: 'SL', params: [v] });
    }
    if (update.max_current_soft !== undefined) {
      const v = update.max_current_soft;
      const max = s.maxCurrentHard || 80;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < s.minCurrent || v > max) return `max_current_soft must be an integer ${s.minCurrent}…${max}`;
      out.push({ field: 'max_current_soft', command: 'SC', params: [v] });
    }
    if (update.scale !== undefined || update.offset !== undefined) {
      const scale = update.scale ?? s.scale;
      const offset = update.offset ?? s.offset;
      if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > 65535) return 'scale must be an integer 0…65535';
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -32768 || offset > 32767) return 'offset must be an integer −32768…32767';
      out.push({ field: 'scale', command: 'SA', params: [scale, offset] });
    }
    return out;
  }

  #backend(): HttpBackend {
    return {
      status: () => this.status(),
      config: () => this.configDoc(),
      updateConfig: (u) => this.updateConfig(u),
      rapi: (c) => this.rapi(c),
      override: () => this.override(),
      setOverride: (d) => this.setOverride(d),
      toggleOverride: () => this.toggleOverride(),
      clearOverride: () => this.clearOverride(),
      claims: (c) => this.claimsDoc(c),
      setClaim: (c, d) => this.setClaim(c, d),
      releaseClaim: (c) => this.releaseClaim(c),
      crashlog: (n) => ({ boot_count: this.crashLog.current.boot_count, crash_seq: this.crashLog.current.seq, events: this.crashLog.recent(n) }),
      scan: async () => (await this.#options.system?.scan?.()) ?? [],
      saveNetwork: (ssid, pass) => {
        const r = this.config.update(pass === undefined ? { ssid } : { ssid, pass });
        if (r.ok) {
          this.log(`network: saved ssid ${ssid}`);
          this.#later(() => this.#options.system?.joinNetwork?.(this.config.get('ssid'), this.config.get('pass')));
        }
      },
      apOff: () => this.#later(() => this.#options.system?.apOff?.(), 1000),
      reset: () => {
        this.log('config: reset to defaults');
        this.config.reset();
        this.#applyMqtt();
        this.#later(() => this.#options.system?.restart?.());
      },
      restart: async (device) => {
        if (device === 'evse') {
          const r = await this.client.send('FR');
          return isReply(r) && r.ok;
        }
        this.log('gateway: restart requested');
        this.#later(() => {
          this.stop();
          this.#options.system?.restart?.();
        });
        return true;
      },
      debugText: () => this.debug.text(),
      evseText: () => this.evse.text(),
      credentials: () => {
        const pass = this.config.get('www_password');
        if (pass === '' || this.#network().mode === 'AP') return undefined;
        return { user: this.config.get('www_username') || 'openevseadmin', pass };
      },
      file: this.#options.system?.file ? (p) => this.#options.system!.file!(p) : undefined,
      log: (l) => this.log(l),
      now: () => this.#clock.now(),
    };
  }

  /** Runs after the HTTP reply has had time to leave. */
  #later(fn: () => void, ms = 500): void {
    this.#timers.set(fn, ms);
  }

  #applyMqtt(): void {
    if (!this.#mqtt || !this.#running) return;
    const c = this.config;
    const net = this.#network();
    const settings: MqttSettings = {
      enabled: c.get('mqtt_enabled'),
      protocol: c.get('mqtt_protocol') === 'mqtts' ? 'mqtts' : 'mqtt',
      server: c.get('mqtt_server'),
      port: c.get('mqtt_port'),
      topic: c.get('mqtt_topic'),
      user: c.get('mqtt_user'),
      pass: c.get('mqtt_pass'),
      rejectUnauthorized: c.get('mqtt_reject_unauthorized'),
      retained: c.get('mqtt_retained'),
      vrms: c.get('mqtt_vrms'),
      announceTopic: c.get('mqtt_announce_topic'),
      id: this.#id,
      name: c.get('hostname'),
      http: `http://${net.ipaddress || c.get('hostname') + '.local'}/`,
    };
    this.#mqtt.configure(settings);
  }

  #telemetry(): Record<string, Json> {
    const heap = this.#heap();
    return { ...this.#fields(), freeram: heap.free_heap, srssi: this.#network().srssi };
  }

  #changed(_changed: Partial<EvseSnapshot>): void {
    const fields = this.#fields();
    const diff: Record<string, Json> = {};
    for (const [k, v] of Object.entries(fields)) if (this.#lastFields[k] !== v) diff[k] = v;
    const unplugged = this.#lastFields.vehicle === 1 && fields.vehicle === 0;
    this.#lastFields = fields;
    if (Object.keys(diff).length > 0) {
      this.#mqtt?.publish(diff);
      for (const l of this.#listeners) l(diff);
    }
    if (!unplugged) return;
    // The session is over: claims that asked for it let go (OpenEVSE releaseAutoReleaseClaims).
    const released = this.claims.releaseAutoRelease();
    if (released.length === 0) return;
    if (released.includes(Client.Manual)) {
      this.#overrideVersion++;
      this.#mqtt?.publishOverride();
    }
    this.log(`claims: released at session end: ${released.join(', ')}`);
    void this.#target.claimsChanged();
    this.#changed({});
  }

  #setVrms(volts: number): void {
    this.#vrms = { volts, at: this.#clock.now() };
    // The controller computes energy with its own voltage; keep it within a volt of the mains.
    const mv = Math.round(volts * 1000);
    if (Math.abs(mv - this.#lastSv) >= 1000) {
      this.#lastSv = mv;
      void this.client.send('SV', [mv]).then((r: RapiResult) => {
        if (!isReply(r) || !r.ok) this.#lastSv = 0;
      });
    }
    this.#changed({});
  }

  #network(): NetworkInfo {
    return this.#options.system?.network?.() ?? { mode: 'Wired', wifi_client_connected: 0, eth_connected: 1, ipaddress: '', srssi: 0 };
  }

  #heap(): HeapInfo {
    const h = this.#options.system?.heap?.() ?? { free_heap: 0, largest_free_block: 0, min_free_heap: 0 };
    return h;
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
