// What a gateway feature is: a module that declares what it brings (HTTP
// routes, config keys with schema and defaults, status fields, MQTT topics,
// the claims it files and at which priority) and gets, in return, a context
// with everything it may touch. The gateway composes a list of features and
// holds no feature logic; a test can build a gateway with one feature alone.
// docs/features.md says how to write one.

import type { Clock, HttpRequest, HttpResponse, Storage, Timers } from '../ports';
import type { ConfigSpec, ConfigValue } from './config-store';
import type { Claim, ClaimState, EvseProperties, Target } from './claims';
import type { EvseSnapshot } from './evse-snapshot';
import type { RapiClient } from './rapi-client';
import type { Json } from './status';
import type { Inputs } from './inputs';
import type { Telemetry } from './telemetry';

/** An HTTP route. `path` is literal, or has `{name}` segments that arrive in `params`. */
export interface Route {
  path: string;
  /** Upper-case methods; GET also answers HEAD. */
  methods: readonly string[];
  handle(request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse;
  /**
   * Whether what `params` name is there (one pattern route for several things: `/energy/{kind}`);
   * asked only of a request with a method the route does not take, which gets 405 if so and 404
   * if not. Absent: every path the pattern matches is there.
   */
  exists?(params: Record<string, string>): boolean;
}

/**
 * An MQTT topic the feature subscribes to. A string is under the base topic
 * (`override/set` → `<base>/override/set`); a function gives a full topic,
 * usually from a setting such as `mqtt_vrms` ("" for none).
 */
export interface Subscription {
  topic: string | (() => string);
  onMessage(payload: string, topic: string): void;
}

/**
 * A retained JSON document under the base topic (`override`, `limit` …),
 * published on connect and again whenever `version()` moves.
 */
export interface RetainedTopic {
  /** Under the base topic, unless `absolute`. */
  topic: string;
  absolute?: boolean;
  version(): number;
  payload(): string;
  /**
   * A set of documents, each under its own absolute topic (Home Assistant
   * discovery): `count` of them, `member(i)` built as it goes out. The bridge
   * publishes them one a turn, so the device holds one at a time; `payload()`
   * is not used and `topic` only names the set.
   */
  count?: number;
  member?(i: number): { topic: string; payload: string };
}

/** A claim a feature files: for one client id (or any, for an API that takes ids from requests), at one priority. */
export interface ClaimDeclaration {
  /** Client id (vendor << 16 | n); omitted: the feature passes the id with each claim. */
  client?: number;
  priority: number;
}

/** The status fields a feature contributes. */
export interface StatusSource {
  /**
   * The fields, as a fresh object. With `into`, a source may write them into
   * that object instead (in its order; a field already there keeps its place)
   * and return it: the status document is built that way, with no object per
   * source to merge (docs/performance.md "GET /status").
   */
  fields(into?: Record<string, Json>): Record<string, Json>;
  /**
   * Whether changes of these fields are change events (/ws fragments, MQTT
   * topics) as well as /status fields (default true). Clock-like fields such
   * as `uptime` say false: they would make an event every second.
   */
  events?: boolean;
}

export interface Feature {
  /** Short id, for logs and docs. */
  readonly name: string;
  /** Config keys this feature owns, by their /config names; the store validates, persists and serves them. */
  readonly config?: Record<string, ConfigSpec>;
  readonly routes?: readonly Route[];
  readonly status?: readonly StatusSource[];
  readonly subscribe?: readonly Subscription[];
  readonly retained?: readonly RetainedTopic[];
  readonly claims?: readonly ClaimDeclaration[];
  /** Called once, in list order, when the gateway starts (timers may be started here). */
  start?(): void;
  stop?(): void;
  /** A setting changed (any feature's, or the gateway's): `keys` are the /config names. */
  configChanged?(keys: readonly string[]): void;
  /** Claims of these clients were filed or released (by anyone, or at the end of a session). */
  claimsChanged?(clients: readonly number[]): void;
  /** The session ended: the EV was unplugged (auto_release claims are already gone). */
  sessionEnded?(): void;
  /** The controller rebooted (`$AB`): its volatile settings are gone. */
  controllerBooted?(): void;
  /**
   * Heartbeat supervision this feature needs while it runs: the controller falls back to `current`
   * A (under 6 A: it sleeps) when the gateway misses a pulse for `interval` s. The gateway asks for
   * the strictest of these and its own setting, and pauses the controller before acknowledging a miss.
   */
  heartbeat?(): { interval: number; current: number } | undefined;
  /** A missed pulse is being recovered: bring claims up to date now (they are applied right after). */
  heartbeatMissed?(): void;
}

/** What the gateway gives each feature. Everything a feature touches goes through here. */
export interface FeatureContext {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly storage: Storage;
  /** The RAPI client: reads only. Writes that change the charging state go through claims. */
  readonly rapi: RapiClient;
  /** The controller as last read. */
  snapshot(): Readonly<EvseSnapshot>;
  /** A setting by its /config name (gateway or any feature's). */
  config(key: string): ConfigValue | undefined;
  /** Validates and saves settings (as POST /config would); resolves with the answer. */
  updateConfig(update: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The one telemetry stream: the status document and its change events. */
  readonly telemetry: Telemetry;
  /** Pushed sensor data (POST /status, MQTT input topics), with timestamps. */
  readonly inputs: Inputs;
  /** Volts used for power: a fresh `voltage` input, else the controller's, else 240. */
  voltage(): number;
  /** Files (or replaces) a claim at the priority this feature declared for `client`; false if refused. */
  claim(client: number, properties: EvseProperties): Promise<boolean>;
  /** false when `client` had no claim. */
  release(client: number): Promise<boolean>;
  /** Seconds since the gateway started. */
  uptime(): number;
  /** The device id (12 hex digits). */
  id(): string;
  /** The gateway firmware version. */
  version(): string;
  /** One client's claim, a copy; undefined when it has none. */
  claimOf(client: number): Claim | undefined;
  claimList(): Claim[];
  /** Bumped on every claim change (`claims_version`). */
  claimsVersion(): number;
  /** The resolved claims, and which client owns each property. */
  target(): Target;
  /** `active` or `disabled`: what the claims hold the charger to, else what the controller does. */
  state(): ClaimState;
  /** Publishes now the retained topics whose version moved (call it after bumping yours). */
  publishRetained(): void;
  log(line: string): void;
}

/** A feature module exports one of these: it builds the feature from the context. */
export type FeatureFactory = (context: FeatureContext) => Feature;

/** `{name}` segments of `pattern` matched against `path`; undefined when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  if (pattern.indexOf('{') < 0) return pattern === path ? {} : undefined;
  return matchSegments(pattern.split('/'), path.split('/'));
}

/** matchPath over a pattern and a path already split at `/` (a router splits each once). */
export function matchSegments(want: readonly string[], got: readonly string[]): Record<string, string> | undefined {
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w.length > 2 && w[0] === '{' && w[w.length - 1] === '}') {
      if (got[i] === '') return undefined;
      params[w.slice(1, -1)] = got[i];
    } else if (w !== got[i]) return undefined;
  }
  return params;
}

/** The full topic of a subscription under `base`; "" for none. */
export function subscriptionTopic(s: Subscription, base: string): string {
  if (typeof s.topic === 'function') return s.topic();
  return s.topic === '' ? '' : `${base}/${s.topic}`;
}

/** Calls `fn` on each feature in list order; one that throws is logged under its name and the others still run. */
export function callEach(features: readonly Feature[], logger: { log(line: string): void }, fn: (f: Feature) => void): void {
  for (const f of features) {
    try {
      fn(f);
    } catch (e) {
      logger.log(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
