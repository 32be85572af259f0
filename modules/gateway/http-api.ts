// The portable HTTP router: request in, response out. It owns what every
// route has in common (basic auth, CORS and preflight, body limits, JSON and
// form parsing, error shapes) and maps paths to the backend (gateway.ts);
// credentials are checked by http-credentials.ts, forms read by http-form.ts,
// and /r answered by rapi-request.ts.
// The Node host serves it with node:http, the device with Moddable's server.

import type { HttpRequest, HttpResponse } from '../ports';
import { AuthThrottle } from './auth-throttle';
import { matchSegments, type Route } from './feature';
import { CORS, answer, headers, json, msg, text } from './http-answer';
import { challenge, credentialsOf, locked } from './http-credentials';
import { requestParams } from './http-form';
import { changesState, crossSiteRefusal, originOf, type CrossSitePolicy } from './cross-site';
import { acceptsGzip } from './content-coding';
import { rapiRequest } from './rapi-request';

export { json, text };

export interface ScanResult {
  rssi: number;
  ssid: string;
  bssid: string;
  channel: number;
  secure: number;
  hidden: boolean;
}

export type RapiOutcome = { cmd: string; ret: string } | { cmd: string; error: string };

/** What the routes need from the gateway. */
export interface HttpBackend {
  status(): Record<string, unknown>;
  config(): Record<string, unknown>;
  /** Partial update; resolves with the HTTP status and message. */
  updateConfig(update: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A typed RAPI command; `done` hears the outcome (a callback: no promise while the controller answers). */
  rapi(command: string, done: (outcome: RapiOutcome) => void): void;
  crashlog(count: number): unknown;
  scan(): Promise<ScanResult[]>;
  /** Saves Wi-Fi credentials; returns why they were refused (nothing saved), or undefined. */
  saveNetwork(ssid: string, pass: string | undefined): string | undefined | void;
  apOff(): void;
  reset(): void;
  restart(device: 'gateway' | 'evse'): Promise<boolean>;
  debugText(): string;
  evseText(): string;
  /** Credentials to demand, or undefined when auth is off (no password, or AP-only mode). */
  credentials(): { user: string; pass: string } | undefined;
  /** Static files (the dashboard); undefined when there is none at that path. */
  file?(path: string, gzip: boolean): HttpResponse | undefined;
  log?(line: string): void;
  /** Monotonic ms, for the throttle on wrong credentials (none without it). */
  now?(): number;
  /** Who may change state from a browser (cross-site.ts); without it only the charger's own pages may. */
  crossSite?(): CrossSitePolicy;
  /** Seconds a client should wait after a full RAPI queue (Retry-After). */
  retryAfter?(): number;
}

/** Request bodies larger than this are refused with 413 (the device has little RAM). */
export const MAX_BODY = 8192;

/** A 200 JSON answer (a module function: `.then(ok)` makes no closure). */
function ok(body: unknown): HttpResponse {
  return json(200, body);
}

export class HttpApi {
  readonly #backend: HttpBackend;
  readonly #maxBody: number;
  /** Made at the first credential attempt: a charger without a password keeps no throttle state. */
  #throttle?: AuthThrottle;
  readonly #routes: readonly Route[];
  /** How many of `#routes` (the first ones) are literal paths. */
  readonly #literals: number;
  /** Per pattern route (after the literals), its path up to the first `{`: a path that does not start with it is not split to be tried. */
  readonly #prefixes: readonly string[];

  /** `routes`: the features' routes, tried before the built-in ones. */
  constructor(backend: HttpBackend, options: { maxBody?: number; routes?: readonly Route[] } = {}) {
    this.#backend = backend;
    this.#maxBody = options.maxBody ?? MAX_BODY;
    // Literal paths before patterns, so /claims/target is not taken for /claims/{client}.
    const routes = options.routes ?? [];
    const literals = routes.filter((r) => r.path.indexOf('{') < 0);
    const patterns = routes.filter((r) => r.path.indexOf('{') >= 0);
    this.#routes = [...literals, ...patterns];
    this.#literals = literals.length;
    this.#prefixes = patterns.map((r) => r.path.slice(0, r.path.indexOf('{')));
  }

  // No async functions on the way to a route: each one would hold a suspended
  // frame and two promises for the whole of a request (the ESP32 profile's
  // largest transient, docs/moddable.md "Memory"); a route's promise is passed on as it is.
  handle(req: HttpRequest): Promise<HttpResponse> {
    let out: HttpResponse | Promise<HttpResponse>;
    try {
      out = this.#route(req);
    } catch (e) {
      return Promise.resolve(this.#failed(req, e));
    }
    if (!(out instanceof Promise)) return Promise.resolve(out);
    return out.then(undefined, (e: unknown) => this.#failed(req, e));
  }

  #failed(req: HttpRequest, e: unknown): HttpResponse {
    this.#backend.log?.(`http: ${req.method} ${req.path} failed: ${e instanceof Error ? e.message : String(e)}`);
    return msg(500, 'Internal error');
  }

  /**
   * What every request passes before its route: credentials (with the
   * throttle on guessing) and the cross-site rule. Undefined to go on, else
   * the refusal. Other routers in front of this one (the simulation API)
   * call it too, so credentials and the rule cover them.
   */
  guard(req: HttpRequest): HttpResponse | undefined {
    const b = this.#backend;
    const want = b.credentials();
    if (want !== undefined && req.headers.authorization !== undefined) {
      const now = b.now?.();
      const peer = req.remote ?? '';
      const throttle = (this.#throttle ??= new AuthThrottle());
      if (now !== undefined) {
        // A locked peer's credentials are not checked at all, so the lock is no oracle.
        const gate = throttle.check(now, peer);
        if (!gate.ok) return locked(gate.retryAfter);
      }
      const auth = credentialsOf(req, want);
      if (now !== undefined && auth === 'ok') throttle.success(now, peer);
      if (now !== undefined && auth === 'wrong') {
        throttle.failure(now, peer);
        const gate = throttle.check(now, peer);
        if (!gate.ok) return locked(gate.retryAfter);
      }
      if (auth !== 'ok') return challenge();
    } else if (want !== undefined) return challenge(); // credentials asked for, none given
    // The policy (host names, the allow list parsed from the settings) only matters to a request that changes state.
    const refusal = changesState(req) ? crossSiteRefusal(req, this.#policy()) : undefined;
    if (refusal) {
      b.log?.(`http: ${req.method} ${req.path}: ${refusal}`);
      return msg(403, refusal);
    }
    return undefined;
  }

  #policy(): CrossSitePolicy {
    return this.#backend.crossSite?.() ?? { hostnames: [], allowed: [] };
  }

  /**
   * A CORS preflight carries no credentials by design. Without an Origin
   * (not a browser) or from an origin allowed to change state it gets the
   * permissive answer; a browser page of another site is refused here, and
   * its request would be refused by the cross-site rule anyway.
   */
  #preflight(req: HttpRequest): HttpResponse {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const probe: HttpRequest = { ...req, method: req.headers['access-control-request-method'] ?? 'POST' };
      if (crossSiteRefusal(probe, this.#policy()) !== undefined) return msg(403, `cross-site request from ${originOf(origin) ?? origin} refused`);
    }
    return { status: 204, headers: { ...CORS, 'Access-Control-Max-Age': '600' }, body: '' };
  }

  #route(req: HttpRequest): HttpResponse | Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    if (method === 'OPTIONS') return this.#preflight(req);
    const refused = this.guard(req);
    if (refused) return refused;
    if (req.body.length > this.#maxBody) return msg(413, 'Request body too large');
    const b = this.#backend;
    const p = req.path;
    // Trailing slashes off (the regular expression only for a path that has one).
    const path = p.length > 1 && p.charCodeAt(p.length - 1) === 47 ? p.replace(/\/+$/, '') : p;
    const get = method === 'GET' || method === 'HEAD';
    const post = method === 'POST';
    let known = false;
    const routes = this.#routes;
    const literals = this.#literals;
    const prefixes = this.#prefixes;
    let segments: string[] | undefined; // the path split at `/`, once, when a pattern is tried
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      // A literal path is compared whole; a pattern's segments are split as it is tried (kept split, they would cost heap on the device).
      let params: Record<string, string> | undefined;
      if (i < literals) {
        if (r.path !== path) continue;
        params = {};
      } else {
        if (!path.startsWith(prefixes[i - literals])) continue;
        params = matchSegments(r.path.split('/'), (segments ??= path.split('/')));
        if (!params) continue;
      }
      if (r.methods.includes(method) || (method === 'HEAD' && r.methods.includes('GET'))) return r.handle(method === req.method ? req : { ...req, method }, params);
      // Another method: 405 where the route has what the path names, else 404 (POST /energy/nonsense).
      if (r.exists === undefined || r.exists(params)) known = true;
    }
    switch (path) {
      case '/status':
        if (!get) return msg(405, 'Method not allowed');
        return json(200, b.status());
      case '/config': {
        if (get) return json(200, b.config());
        if (!post) return msg(405, 'Method not allowed');
        let update: unknown;
        try {
          update = JSON.parse(req.body);
        } catch {
          return msg(400, 'Could not parse JSON');
        }
        if (typeof update !== 'object' || update === null || Array.isArray(update)) return msg(400, 'Could not parse JSON');
        return b.updateConfig(update as Record<string, unknown>).then(answer);
      }
      case '/r':
      case '/rapi':
        if (!get && !post) return msg(405, 'Method not allowed');
        return rapiRequest(req, b);
      case '/scan':
        if (!get) return msg(405, 'Method not allowed');
        return b.scan().then(ok);
      case '/savenetwork': {
        if (!get && !post) return msg(405, 'Method not allowed');
        const p = requestParams(req);
        if (!p.ssid) return text(400, 'No SSID');
        const refused = b.saveNetwork(p.ssid, p.pass);
        if (refused) return text(400, refused);
        return text(200, 'saved');
      }
      case '/savemqtt': {
        if (!get && !post) return msg(405, 'Method not allowed');
        return this.#saveMqtt(requestParams(req));
      }
      case '/crashlog': {
        if (!get) return msg(405, 'Method not allowed');
        const c = req.query.count;
        const count = c === undefined ? 10 : /^\d{1,2}$/.test(c) ? Number(c) : NaN;
        if (!(count >= 1 && count <= 10)) return msg(400, 'count must be 1 to 10');
        return json(200, b.crashlog(count));
      }
      case '/apoff':
        if (!get && !post) return msg(405, 'Method not allowed');
        b.apOff();
        return msg(200, 'done');
      case '/reset':
        if (!get && !post) return msg(405, 'Method not allowed');
        b.reset();
        return msg(200, 'done');
      case '/restart':
        return this.#restart(req, get, post);
      case '/debug':
        if (!get) return msg(405, 'Method not allowed');
        return text(200, b.debugText());
      case '/evse':
        if (!get) return msg(405, 'Method not allowed');
        return text(200, b.evseText());
    }
    if (known) return msg(405, 'Method not allowed');
    if (get) {
      const gzip = acceptsGzip(req.headers['accept-encoding']);
      const file = b.file?.(path === '/' ? '/index.html' : path, gzip);
      if (file) {
        const coded = (file.headers['Content-Encoding'] ?? '').toLowerCase() === 'gzip';
        // A host that holds the page only gzip-compressed and has no room to inflate it: a client
        // that cannot take gzip gets a readable refusal, never bytes it would print as binary.
        if (coded && !gzip) {
          return { ...text(406, 'This page is stored gzip-compressed. Ask for it with "Accept-Encoding: gzip" (every browser does; curl --compressed).\n'), headers: { ...headers('text/plain'), Vary: 'Accept-Encoding' } };
        }
        return { ...file, headers: { ...CORS, ...file.headers, ...(coded ? { Vary: 'Accept-Encoding' } : {}) } };
      }
    }
    return msg(404, 'Not found');
  }

  async #saveMqtt(p: Record<string, string>): Promise<HttpResponse> {
    // The legacy form: strings only; map them onto POST /config names and types.
    const update: Record<string, unknown> = {};
    const bool = (v: string) => v === '1' || v.toLowerCase() === 'true' || v === 'on';
    if (p.enable !== undefined) update.mqtt_enabled = bool(p.enable);
    if (p.protocol !== undefined) update.mqtt_protocol = p.protocol;
    if (p.server !== undefined) update.mqtt_server = p.server;
    if (p.port !== undefined) update.mqtt_port = /^\d+$/.test(p.port) ? Number(p.port) : p.port;
    if (p.topic !== undefined) update.mqtt_topic = p.topic;
    if (p.user !== undefined) update.mqtt_user = p.user;
    if (p.pass !== undefined) update.mqtt_pass = p.pass;
    if (p.retained !== undefined) update.mqtt_retained = bool(p.retained);
    if (p.reject_unauthorized !== undefined) update.mqtt_reject_unauthorized = bool(p.reject_unauthorized);
    const r = await this.#backend.updateConfig(update);
    return r.status === 200 ? text(200, 'saved') : json(r.status, r.body);
  }

  async #restart(req: HttpRequest, get: boolean, post: boolean): Promise<HttpResponse> {
    if (!get && !post) return msg(405, 'Method not allowed');
    let device: 'gateway' | 'evse' = 'gateway';
    if (post && req.body.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(req.body);
      } catch {
        return msg(400, 'Could not parse JSON');
      }
      // Only an object, with no device or one of the two: `5`, `[]`, `null`, `"evse"` are mistakes, not requests.
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return msg(400, 'body must be a JSON object like {"device":"gateway"}');
      const d = (body as { device?: unknown }).device;
      if (d !== undefined && d !== 'gateway' && d !== 'evse') return msg(400, 'device must be "gateway" or "evse"');
      if (d === 'evse') device = 'evse';
    }
    const ok = await this.#backend.restart(device);
    if (!ok) return json(500, { success: false, msg: `restart ${device} failed` });
    return json(200, { success: true, result: 'OK', msg: `restart ${device}: ok` });
  }
}
