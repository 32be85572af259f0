// The manual override (OpenEVSE manual.cpp, web_server /override, mqtt.cpp):
// the user's "charge now" / "stop" button as a claim of client 0x00010001 at
// priority 1000. GET shows it ({} when none), POST replaces it (auto_release
// defaults to true: it ends with the session), PATCH toggles, DELETE releases.
// MQTT `<base>/override/set` takes the same JSON, `toggle` or `clear`; the
// retained `<base>/override` carries it (or {"state":"null"}). One object on the
// device (docs/features.md, "Memory on the device").

import { activeState } from '../charge-target';
import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext, RetainedTopic, StatusSource } from '../feature';
import { declaredFeature, type Declaration, type MessageOwner, type RouteOwner, type RouteSpec } from '../feature-parts';
import type { HttpRequest, HttpResponse } from '../../ports';
import type { Json } from '../status';
import { answer, jsonBody, type Answer } from '../http-answer';

function created(ok: boolean): Answer {
  return ok ? { status: 201, body: { msg: 'Created' } } : { status: 500, body: { msg: 'Failed to claim manual override' } };
}

function toggled(ok: boolean): Answer {
  return ok ? { status: 200, body: { msg: 'Updated' } } : { status: 500, body: { msg: 'Failed to toggle manual override' } };
}

function deleted(ok: boolean): Answer {
  return ok ? { status: 200, body: { msg: 'Deleted' } } : { status: 500, body: { msg: 'Failed to release manual override' } };
}

// The HTTP answers in one step from the claim's outcome: one promise less per
// request in flight than `.then(created).then(answer)` (the ESP32 profile's peak).
function createdHttp(ok: boolean): HttpResponse {
  return answer(created(ok));
}

function toggledHttp(ok: boolean): HttpResponse {
  return answer(toggled(ok));
}

function deletedHttp(ok: boolean): HttpResponse {
  return answer(deleted(ok));
}

const DECLARATION: Declaration = {
  name: 'override',
  claims: [{ client: Client.Manual, priority: Priority.Manual }],
  routes: [{ path: '/override', methods: ['GET', 'POST', 'PATCH', 'DELETE'] }],
  topics: ['override/set'],
  status: true,
  retained: true,
};

/** One object on the device: its own status source and retained topic, its route and topic parts (feature-parts.ts). */
export class OverrideFeature extends declaredFeature(DECLARATION) implements StatusSource, RetainedTopic, RouteOwner, MessageOwner {
  #version = 0;

  fields(): Record<string, Json> {
    return { manual_override: this.ctx.claimOf(Client.Manual) ? 1 : 0, override_version: this.#version };
  }

  get topic(): string {
    return 'override';
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    const o = this.#get();
    return JSON.stringify(Object.keys(o).length ? o : { state: 'null' });
  }

  claimsChanged(clients: readonly number[]): void {
    if (!clients.includes(Client.Manual)) return;
    this.#version++;
    this.ctx.publishRetained();
  }

  route(_spec: RouteSpec, req: HttpRequest): Promise<HttpResponse> | HttpResponse {
    if (req.method === 'GET' || req.method === 'HEAD') return answer(200, this.#get());
    if (req.method === 'PATCH') return this.#toggle().then(toggledHttp);
    if (req.method === 'DELETE') return this.#clear().then(deletedHttp);
    const doc = jsonBody(req.body);
    if (doc === undefined) return answer(400, { msg: 'Failed to parse JSON' });
    const r = this.#set(doc);
    return r instanceof Promise ? r.then(createdHttp) : answer(r);
  }

  /** An `override/set` message: JSON properties, `toggle` or `clear`. */
  message(_name: string, payload: string): void {
    const p = payload.trim();
    if (p === 'toggle') {
      void this.#toggle().then((ok) => this.#logRefused(toggled(ok)));
      return;
    }
    if (p === 'clear') {
      void this.#clear().then((ok) => this.#logRefused(deleted(ok)));
      return;
    }
    const doc = jsonBody(p);
    if (doc === undefined) return this.ctx.log('mqtt: override/set: could not parse JSON');
    const claimed = this.#set(doc);
    if (claimed instanceof Promise) void claimed.then((ok) => this.#logRefused(created(ok)));
    else this.#logRefused(claimed);
  }

  #logRefused(r: Answer): void {
    if (r.status >= 400) this.ctx.log(`mqtt: override/set: ${JSON.stringify(r.body)}`);
  }

  #get(): Record<string, unknown> {
    const c = this.ctx.claimOf(Client.Manual);
    return c ? propertiesJson(c.properties) : {};
  }

  // Promises passed on, not async functions: an async function holds a
  // suspended frame and two more promises while the claim is applied
  // (the ESP32 profile's largest transient, docs/moddable.md "Memory").
  /** The claim being made, or the answer that refuses `doc`. */
  #set(doc: unknown): Answer | Promise<boolean> {
    const parsed = parseProperties(doc);
    if (!parsed.ok) return { status: 400, body: { msg: parsed.error } };
    const props = parsed.properties;
    if (props.auto_release === undefined) props.auto_release = true;
    return this.ctx.claim(Client.Manual, props);
  }

  #toggle(): Promise<boolean> {
    const ctx = this.ctx;
    return ctx.claimOf(Client.Manual)
      ? ctx.release(Client.Manual)
      : ctx.claim(Client.Manual, { state: activeState(ctx.snapshot()) === 'active' ? 'disabled' : 'active', auto_release: true });
  }

  #clear(): Promise<boolean> {
    return this.ctx.release(Client.Manual);
  }
}

export function overrideFeature(ctx: FeatureContext): Feature {
  return new OverrideFeature(ctx);
}
