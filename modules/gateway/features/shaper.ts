// The current shaper as a gateway feature: OpenEVSE's /shaper, MQTT
// `<base>/shaper/set`, the current_shaper_* settings and status fields, fed
// by the `shaper_live_pwr` input (POST /status, `mqtt_live_pwr`). The rules
// are modules/energy/shaper.ts. It files one claim, client 0x0001000c, at
// the safety priority (5000): a cap (max_current) or a pause, never a raise.
// /shaper switches it until the next restart or setting change, as there.
// One class that is its own route, subscription and status source.

import { DivertType } from '../../energy/divert';
import { Shaper, SHAPER_LOOP_MS, type ShaperClaim, type ShaperEvse, type ShaperOptions, type ShaperSettings } from '../../energy/shaper';
import { SHAPER_CONFIG, shaperSettings } from '../../energy/settings';
import type { Feature, FeatureContext, Route, StatusSource, Subscription } from '../feature';
import { answer, msg, text } from '../http-answer';
import { Priority } from '../claims';
import type { ConfigSpec } from '../config-store';
import type { HttpRequest, HttpResponse } from '../../ports';
import type { Json } from '../status';
import { requestField } from './divert';
import { ContextEvse } from './context-evse';
import { LaterClaim } from './later-claim';

export const SHAPER_CLIENT = 0x0001000c;
const CLAIMS = [{ client: SHAPER_CLIENT, priority: Priority.Safety }] as const;
const METHODS = ['GET', 'POST'] as const;

/** The charger's readings, plus the solar the shaper may add when divert runs on solar. */
class ShaperReadings extends ContextEvse implements ShaperEvse {
  solarBonus(): number {
    const c = this.ctx;
    return c.config('divert_enabled') === true && c.config('divert_type') !== DivertType.Grid ? (c.inputs.get('solar') ?? 0) : 0;
  }
}

class ShaperFeature implements Feature, Route, Subscription, StatusSource, ShaperOptions {
  readonly name = 'shaper';
  readonly config = SHAPER_CONFIG as unknown as Record<string, ConfigSpec>;
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
  readonly path = '/shaper';
  readonly methods = METHODS;
  readonly topic = 'shaper/set';
  readonly evse: ShaperEvse;
  readonly #ctx: FeatureContext;
  readonly #shaper: Shaper;
  readonly #claim: LaterClaim;
  #settings?: ShaperSettings;
  #timer: unknown;
  #unInput?: () => void;

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
    this.evse = new ShaperReadings(ctx);
    this.#claim = new LaterClaim(ctx, SHAPER_CLIENT);
    this.#shaper = new Shaper(this);
  }

  now(): number {
    return this.#ctx.clock.now();
  }

  settings(): ShaperSettings {
    return (this.#settings ??= shaperSettings((k) => this.#ctx.config(k)));
  }

  onClaim(c: ShaperClaim): void {
    this.#claim.set(c?.properties);
  }

  fields(): Record<string, Json> {
    const s = this.#shaper;
    return {
      shaper: s.enabled ? 1 : 0,
      shaper_max_pwr: this.settings().maxPower,
      shaper_cur: Math.round(s.maxCurrent * 100) / 100,
      shaper_updated: s.updated,
    };
  }

  onMessage(payload: string): void {
    const p = payload.trim();
    if (p === '1' || p === '0') this.#set(p === '1', 'mqtt');
    else this.#ctx.log(`mqtt: shaper/set: ${JSON.stringify(payload)} is not 0 or 1`);
  }

  handle(req: HttpRequest): HttpResponse {
    const v = requestField(req, 'shaper');
    if (v === undefined && req.method !== 'POST') return answer(200, { shaper: this.#shaper.enabled ? 1 : 0 });
    const n = v === true ? 1 : v === false ? 0 : Number(v);
    if (n !== 0 && n !== 1) return msg(400, 'shaper must be 0 (off) or 1 (on)');
    this.#set(n === 1, 'http');
    return text(200, 'Current Shaper state changed');
  }

  start(): void {
    this.#set(this.#ctx.config('current_shaper_enabled') === true, 'config');
    // The data-input feature sends the event once every posted value is in.
    this.#unInput = this.#ctx.inputs.onInput((name, reading) => {
      if (name === 'shaper_live_pwr') this.#shaper.livePowerIn(reading.value);
    });
    this.#timer = this.#ctx.timers.repeat(() => this.#loop(), SHAPER_LOOP_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#ctx.timers.clear(this.#timer);
    this.#unInput?.();
    this.#claim.cancel();
  }

  configChanged(keys: readonly string[]): void {
    if (keys.some((k) => k.startsWith('current_shaper_') || k === 'is_threephase')) this.#settings = undefined;
    if (keys.includes('current_shaper_enabled')) this.#set(this.#ctx.config('current_shaper_enabled') === true, 'config');
    else if (keys.some((k) => k.startsWith('current_shaper_'))) this.#shaper.evaluate();
  }

  #loop(): void {
    this.#shaper.evaluate();
    this.#ctx.telemetry.update();
  }

  #set(on: boolean, why: string): void {
    if (on === this.#shaper.enabled) return;
    this.#ctx.log(`shaper: ${on ? 'on' : 'off'} (${why})`);
    this.#shaper.setEnabled(on);
    this.#ctx.telemetry.update();
  }
}

export function shaperFeature(ctx: FeatureContext): Feature {
  return new ShaperFeature(ctx);
}
