// OCPP 1.6J as a gateway feature: OpenEVSE's ocpp_* settings, the status
// fields (`ocpp_connected` as OpenEVSE has it, plus what OCPP is doing), and
// the claim of client 0x00010009 at priority 1050 through which the central
// system's permission and smart-charging limit reach the controller. The
// charge point (modules/ocpp/charge-point.ts) decides everything else; this
// file translates: the controller snapshot into a reading, the charge point's
// claim to the arbiter, a settings change into a reconnect.
//
// The host brings the WebSocket client (Node: ws; Moddable: its WebSocket
// client), so the factory takes it: `ocppFeature({ connect: wsConnect })`.
//
// Off (`ocpp_enabled` false, the default) it must cost the device next to
// nothing: one small object whose methods live on the prototype, its settings
// table a module constant (flash when preloaded); the charge point, its
// queues and the reading are made only when OCPP is switched on.
//
// A settings change and the charge point's changes are acted on in a turn of
// their own (a 0 ms timer, coalesced): straight from POST /config, or from the
// WebSocket's receive callback, the claim → arbiter → telemetry → MQTT chain
// took the device's stack to 567 of 640 slots in the ESP32 profile.

import type { WebSocketConnect } from '../../ports';
import { ChargePoint, type ChargePointOptions, type Identity, type OcppSettings } from '../../ocpp/charge-point';
import type { ChargerReading } from '../../ocpp/connector-status';
import { EvseReading } from '../../ocpp/evse-reading';
import { Priority } from '../claims';
import type { ConfigSpec } from '../config-store';
import type { Feature, FeatureContext, FeatureFactory, StatusSource } from '../feature';
import type { Json } from '../status';

/** OpenEVSE's client id for OCPP's claim (EvseClient_OpenEVSE_OCPP: vendor 1, n 9). */
export const OCPP_CLIENT = 0x00010009;

export interface OcppFeatureOptions {
  connect: WebSocketConnect;
  /** The central system asked for a reset; after a hard one the controller has been told `$FR`. */
  restart?: (hard: boolean) => void;
  identity?: Partial<Identity>;
  /** Transaction messages kept while offline (200). */
  queueBound?: number;
  /** Hears the charge point come and go with `ocpp_enabled` (tests, the fleet tool). */
  onChargePoint?: (cp: ChargePoint | undefined) => void;
}

const CONNECTION_KEYS = ['ocpp_server', 'ocpp_chargeBoxId', 'ocpp_authkey'] as const;
const CLAIMS = [{ client: OCPP_CLIENT, priority: Priority.Ocpp }] as const;

const OCPP_CONFIG = {
  ocpp_enabled: { type: 'boolean', default: false },
  ocpp_server: { type: 'string', max: 256, pattern: '^wss?://\\S+$', default: '' },
  ocpp_chargeBoxId: { type: 'string', max: 64, default: '' },
  ocpp_authkey: { type: 'string', max: 64, secret: true, default: '' },
  ocpp_idtag: { type: 'string', max: 20, default: 'DefaultIdTag' },
  // OpenEVSE's factory flags: auto and offline authorisation on, suspend and energize off.
  ocpp_auth_auto: { type: 'boolean', default: true },
  ocpp_auth_offline: { type: 'boolean', default: true },
  ocpp_suspend_evse: { type: 'boolean', default: false },
  ocpp_energize_plug: { type: 'boolean', default: false },
} as const;

class OcppFeature implements Feature, StatusSource {
  readonly name = 'ocpp';
  readonly config = OCPP_CONFIG as unknown as Record<string, ConfigSpec>;
  readonly claims = CLAIMS;
  // Read once when the gateway is composed: made on demand rather than kept in RAM.
  get status(): StatusSource[] {
    return [this];
  }
  readonly #ctx: FeatureContext;
  readonly #options: OcppFeatureOptions;
  #cp?: ChargePoint;
  #filed = '';
  #running = false;
  /** Settings changed since the last apply; undefined when none is scheduled. */
  #changed?: string[];
  #syncing = false;

  constructor(ctx: FeatureContext, options: OcppFeatureOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  fields(): Record<string, Json> {
    const cp = this.#cp;
    return {
      ocpp_connected: cp?.connected ? 1 : 0,
      // disabled; offline (on, no connection); else the boot's registration status
      ocpp_status: !cp ? 'disabled' : !cp.connected ? 'offline' : (cp.registration ?? 'connecting'),
      ocpp_transaction_id: cp?.transactions.transactionId ?? null,
      ocpp_limit: cp?.limit === undefined ? null : Math.round(cp.limit * 10) / 10,
      ocpp_queue: cp?.queue.size ?? 0,
    };
  }

  start(): void {
    this.#running = true;
    this.#apply([]);
  }

  stop(): void {
    this.#running = false;
    this.#cp?.stop();
    this.#cp = undefined;
  }

  configChanged(keys: readonly string[]): void {
    if (!this.#running || !keys.some((k) => k.startsWith('ocpp_'))) return;
    if (this.#changed) {
      this.#changed.push(...keys);
      return;
    }
    this.#changed = keys.slice();
    this.#ctx.timers.set(() => {
      const changed = this.#changed ?? [];
      this.#changed = undefined;
      if (this.#running) this.#apply(changed);
    }, 0);
  }

  /** Runs the charge point while `ocpp_enabled` is on. */
  #apply(changed: readonly string[]): void {
    const ctx = this.#ctx;
    if (ctx.config('ocpp_enabled') !== true) {
      if (!this.#cp) return;
      this.#cp.stop();
      this.#cp = undefined;
      this.#options.onChargePoint?.(undefined);
      this.#sync();
      return;
    }
    if (!this.#cp) {
      this.#cp = this.#make();
      this.#options.onChargePoint?.(this.#cp);
      this.#cp.start();
    } else if (changed.some((k) => (CONNECTION_KEYS as readonly string[]).includes(k))) this.#cp.reconnect();
    else this.#cp.tick();
  }

  #syncSoon(): void {
    if (this.#syncing) return;
    this.#syncing = true;
    this.#ctx.timers.set(() => {
      this.#syncing = false;
      this.#sync();
    }, 0);
  }

  /** Files or releases OCPP's claim when the charge point's wish changed. */
  #sync(): void {
    const ctx = this.#ctx;
    const claim = this.#cp?.claim;
    const text = JSON.stringify(claim ?? null);
    if (text !== this.#filed) {
      this.#filed = text;
      if (claim) void ctx.claim(OCPP_CLIENT, claim);
      else void ctx.release(OCPP_CLIENT);
    }
    ctx.telemetry.update();
  }

  #settings(): OcppSettings {
    const ctx = this.#ctx;
    return {
      server: String(ctx.config('ocpp_server') ?? ''),
      chargeBoxId: String(ctx.config('ocpp_chargeBoxId') ?? ''),
      authKey: String(ctx.config('ocpp_authkey') ?? ''),
      idTag: String(ctx.config('ocpp_idtag') ?? ''),
      authAuto: ctx.config('ocpp_auth_auto') === true,
      authOffline: ctx.config('ocpp_auth_offline') === true,
      suspendEvse: ctx.config('ocpp_suspend_evse') === true,
      energizePlug: ctx.config('ocpp_energize_plug') === true,
    };
  }

  #make(): ChargePoint {
    return new ChargePoint(new ChargerPort(this.#ctx, this.#options, () => this.#syncSoon(), () => this.#settings()));
  }
}

/**
 * What the charge point reads and calls, over the feature context. A class
 * so that its methods live once on the prototype (in flash when preloaded)
 * instead of as closures in RAM; only `log`, which the charge point hands on
 * detached, is a closure.
 */
class ChargerPort implements ChargePointOptions {
  readonly clock: ChargePointOptions['clock'];
  readonly timers: ChargePointOptions['timers'];
  readonly storage: ChargePointOptions['storage'];
  readonly connect: WebSocketConnect;
  readonly identity: Identity;
  readonly queueBound?: number;
  readonly log: (line: string) => void;
  readonly onChange: () => void;
  readonly settings: () => OcppSettings;
  readonly #ctx: FeatureContext;
  readonly #options: OcppFeatureOptions;
  readonly #reading = new EvseReading();

  constructor(ctx: FeatureContext, options: OcppFeatureOptions, onChange: () => void, settings: () => OcppSettings) {
    this.#ctx = ctx;
    this.#options = options;
    this.clock = ctx.clock;
    this.timers = ctx.timers;
    this.storage = ctx.storage;
    this.connect = options.connect;
    this.identity = { chargePointVendor: 'OpenEVSE', chargePointModel: 'evse-xs', firmwareVersion: '5.1.0', ...options.identity };
    this.queueBound = options.queueBound;
    this.log = (line) => ctx.log(line);
    this.onChange = onChange;
    this.settings = settings;
  }

  setSetting(_key: 'authOffline', value: boolean): void {
    void this.#ctx.updateConfig({ ocpp_auth_offline: value });
  }

  reading(): ChargerReading {
    return this.#reading.read(this.#ctx.snapshot(), this.#ctx.voltage());
  }

  electrical(): { voltage: number; phases: number } {
    return { voltage: this.#ctx.voltage(), phases: 1 };
  }

  currents(): { min: number; max: number } {
    const s = this.#ctx.snapshot();
    return { min: s.minCurrent || 6, max: s.maxCurrentSoft || s.maxCurrentHard || 32 };
  }

  onReset(hard: boolean): void {
    const ctx = this.#ctx;
    ctx.log(`ocpp: ${hard ? 'hard' : 'soft'} reset asked for by the central system`);
    if (hard) void ctx.rapi.send('FR', [], 'ocpp');
    this.#options.restart?.(hard);
  }
}

export function ocppFeature(options: OcppFeatureOptions): FeatureFactory {
  return (ctx) => new OcppFeature(ctx, options);
}
