// Solar divert as a gateway feature: OpenEVSE's /divertmode, MQTT
// `<base>/divertmode/set`, the divert_* settings and status fields, fed by
// the `solar` / `grid_ie` inputs (POST /status, `mqtt_solar`, `mqtt_grid_ie`).
// The algorithm is modules/energy/divert.ts; this file only connects it.
//
// divertmode starts as `divert_enabled` says (OpenEVSE's `charge_mode`
// eco/fast), and /divertmode switches it until the next restart or setting
// change, as there. Divert files one claim, client 0x00010002, at priority 50.
//
// One class that is its own route, subscription and status source: its
// methods live once on the prototype (RAM on the device is counted in slots).

import { Divert, DivertMode, type DivertClaim, type DivertEvse, type DivertModeValue, type DivertOptions, type DivertSettings } from '../../energy/divert';
import { DIVERT_CONFIG, divertSettings } from '../../energy/settings';
import type { Feature, FeatureContext, Route, StatusSource, Subscription } from '../feature';
import { answer, msg, text } from '../http-answer';
import { Priority } from '../claims';
import type { ConfigSpec } from '../config-store';
import type { HttpRequest, HttpResponse } from '../../ports';
import type { Json } from '../status';
import type { Fragment } from '../telemetry';
import { ContextEvse } from './context-evse';
import { LaterClaim } from './later-claim';

export const DIVERT_CLIENT = 0x00010002;
const CLAIMS = [{ client: DIVERT_CLIENT, priority: Priority.Divert }] as const;
const METHODS = ['GET', 'POST'] as const;

/** One field of a query, a form body or a JSON body. */
export function requestField(req: HttpRequest, name: string): unknown {
  if (req.query[name] !== undefined) return req.query[name];
  const body = (req.body ?? '').trim();
  if (body === '') return undefined;
  if (body[0] === '{') {
    try {
      return (JSON.parse(body) as Record<string, unknown>)[name];
    } catch {
      return undefined;
    }
  }
  for (const pair of body.split('&')) {
    const i = pair.indexOf('=');
    if (i > 0 && decodeURIComponent(pair.slice(0, i)) === name) return decodeURIComponent(pair.slice(i + 1).split('+').join(' '));
  }
  return undefined;
}

function round(a: number): number {
  return Math.round(a * 100) / 100;
}

class DivertFeature implements Feature, Route, Subscription, StatusSource, DivertOptions {
  readonly name = 'divert';
  readonly config = DIVERT_CONFIG as unknown as Record<string, ConfigSpec>;
  readonly claims = CLAIMS;
  // Read once when the gateway is composed: made on demand rather than kept in RAM.
  get status(): StatusSource[] {
    return [this];
  }
  get subscribe(): Subscription[] {
    return [this];
  }
  get routes(): Route[] {
    return [this];
  }
  readonly path = '/divertmode';
  readonly methods = METHODS;
  readonly topic = 'divertmode/set';
  readonly evse: DivertEvse;
  readonly #ctx: FeatureContext;
  readonly #divert: Divert;
  readonly #claim: LaterClaim;
  #settings?: DivertSettings;
  #timer: unknown;
  #unsubscribe?: () => void;
  #unInput?: () => void;

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
    this.evse = new ContextEvse(ctx);
    this.#claim = new LaterClaim(ctx, DIVERT_CLIENT);
    this.#divert = new Divert(this);
  }

  // --- DivertOptions: what the algorithm reads

  now(): number {
    return this.#ctx.clock.now();
  }

  settings(): DivertSettings {
    return (this.#settings ??= divertSettings((k) => this.#ctx.config(k)));
  }

  onClaim(c: DivertClaim): void {
    this.#claim.set(c?.properties);
  }

  // --- Status, MQTT, HTTP

  fields(): Record<string, Json> {
    const d = this.#divert;
    return {
      divertmode: d.mode,
      divert_active: d.active,
      charge_rate: d.chargeRate,
      available_current: round(d.available),
      smoothed_available_current: round(d.smoothed),
      divert_stale: d.stale,
    };
  }

  onMessage(payload: string): void {
    const n = Number(payload.trim());
    if (n === 1 || n === 2) this.#setMode(n, 'mqtt');
    else this.#ctx.log(`mqtt: divertmode/set: ${JSON.stringify(payload)} is not 1 or 2`);
  }

  handle(req: HttpRequest): HttpResponse {
    const v = requestField(req, 'divertmode');
    if (v === undefined && req.method !== 'POST') return answer(200, { divertmode: this.#divert.mode });
    const n = Number(v);
    if (n !== 1 && n !== 2) return msg(400, 'divertmode must be 1 (normal) or 2 (eco)');
    this.#setMode(n, 'http');
    // python-openevse-http looks for "divert" and "changed" in the reply, as OpenEVSE words it.
    return text(200, 'Divert Mode changed');
  }

  // --- Life cycle

  start(): void {
    const ctx = this.#ctx;
    this.#setMode(this.#enabled() ? DivertMode.Eco : DivertMode.Normal, 'config');
    // The data-input feature sends the event once every posted value is in.
    this.#unInput = ctx.inputs.onInput((name, reading) => {
      if (name === 'solar') this.#divert.solar(reading.value);
      else if (name === 'grid_ie') this.#divert.gridIe(reading.value);
    });
    this.#unsubscribe = ctx.telemetry.subscribe((f: Fragment) => {
      if ('state' in f) this.#divert.evseChanged();
    });
    this.#timer = ctx.timers.repeat(() => this.#check(), 1000);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#ctx.timers.clear(this.#timer);
    this.#unsubscribe?.();
    this.#unInput?.();
    this.#claim.cancel();
  }

  configChanged(keys: readonly string[]): void {
    const ctx = this.#ctx;
    if (keys.some((k) => k.startsWith('divert_') || k === 'is_threephase')) this.#settings = undefined;
    if (keys.includes('charge_mode') && !keys.includes('divert_enabled')) {
      // OpenEVSE's virtual setting: charge_mode eco is divert_enabled true.
      void ctx.updateConfig({ divert_enabled: ctx.config('charge_mode') === 'eco' });
      return;
    }
    if (!keys.includes('divert_enabled')) return;
    const on = ctx.config('divert_enabled') === true;
    if ((ctx.config('charge_mode') === 'eco') !== on) void ctx.updateConfig({ charge_mode: on ? 'eco' : 'fast' });
    this.#setMode(on ? DivertMode.Eco : DivertMode.Normal, 'config');
  }

  #enabled(): boolean {
    return this.#ctx.config('divert_enabled') === true || this.#ctx.config('charge_mode') === 'eco';
  }

  #check(): void {
    const was = this.#divert.stale;
    this.#divert.check();
    if (this.#divert.stale === was) return;
    this.#ctx.log('divert: no solar/grid reading within divert_data_maxinterval: divert charging stopped');
    this.#ctx.telemetry.update();
  }

  #setMode(mode: DivertModeValue, why: string): void {
    if (mode === this.#divert.mode) return;
    this.#ctx.log(`divert: mode ${mode === DivertMode.Eco ? 'eco' : 'normal'} (${why})`);
    this.#divert.setMode(mode);
    this.#ctx.telemetry.update();
  }
}

export function divertFeature(ctx: FeatureContext): Feature {
  return new DivertFeature(ctx);
}
