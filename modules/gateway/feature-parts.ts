// A feature's routes and MQTT subscriptions as small objects that hand each
// request or message to a method of the feature, with their paths, methods
// and topics in the feature's module-level table (in flash when preloaded).
// A closure per handler, an object literal per route and the closure
// environments they share cost a lean feature on the device more than its
// state: a part is an object of two fields (4 slots in the ESP32 profile's
// census).
//
// A lean feature's declaration (name, settings, claims, routes, topics, and
// whether it is its own status source and retained topic) is one such table
// too, read by the getters of DeclaredFeature. Its one field is the feature's
// context (the slot each feature had for it before); the table is returned by
// a getter of the class declaredFeature(table) makes, once per feature module,
// so an instance holds nothing for it and the class is in flash with the rest.

import type { HttpRequest, HttpResponse } from '../ports';
import type { ConfigSpec } from './config-store';
import type { ClaimDeclaration, Feature, FeatureContext, RetainedTopic, Route, StatusSource, Subscription } from './feature';

export interface RouteSpec {
  path: string;
  methods: readonly string[];
}

export interface RouteOwner {
  /** A request on `spec` (an entry of the table the routes were made from: compare its `path`). */
  route(spec: RouteSpec, request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse;
  /** Whether what `params` name on `spec` is there (Route.exists); absent: all of it is. */
  exists?(spec: RouteSpec, params: Record<string, string>): boolean;
}

export class RouteOf implements Route {
  readonly #owner: RouteOwner;
  readonly #spec: RouteSpec;

  constructor(owner: RouteOwner, spec: RouteSpec) {
    this.#owner = owner;
    this.#spec = spec;
  }
  get path(): string {
    return this.#spec.path;
  }
  get methods(): readonly string[] {
    return this.#spec.methods;
  }
  handle(request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse {
    return this.#owner.route(this.#spec, request, params);
  }
  exists(params: Record<string, string>): boolean {
    return this.#owner.exists?.(this.#spec, params) ?? true;
  }
}

/** The routes of `specs`, each handled by `owner.route(spec, …)`. */
export function routesOf(owner: RouteOwner, specs: readonly RouteSpec[]): Route[] {
  const routes: Route[] = [];
  for (const spec of specs) routes.push(new RouteOf(owner, spec));
  return routes;
}

export interface MessageOwner {
  /** A message on `name` (the entry of the feature's topic table, under the base topic). */
  message(name: string, payload: string, topic: string): void;
}

export class SubscriptionOf implements Subscription {
  readonly #owner: MessageOwner;
  readonly #topic: string;

  constructor(owner: MessageOwner, topic: string) {
    this.#owner = owner;
    this.#topic = topic;
  }
  get topic(): string {
    return this.#topic;
  }
  onMessage(payload: string, topic: string): void {
    this.#owner.message(this.#topic, payload, topic);
  }
}

/** Subscriptions to `topics` (under the base topic), each handled by `owner.message(name, …)`. */
export function subscriptionsOf(owner: MessageOwner, topics: readonly string[]): Subscription[] {
  const subs: Subscription[] = [];
  for (const t of topics) subs.push(new SubscriptionOf(owner, t));
  return subs;
}

/** What a lean feature declares, as a module-level table. */
export interface Declaration {
  name: string;
  config?: Record<string, ConfigSpec>;
  claims?: readonly ClaimDeclaration[];
  /** Handled by the feature's `route(spec, …)`. */
  routes?: readonly RouteSpec[];
  /** Under the base topic, handled by the feature's `message(name, …)`. */
  topics?: readonly string[];
  /** The feature is its own status source (it has `fields()`). */
  status?: boolean;
  /** The feature is its own retained topic (it has `topic`, `version()`, `payload()`). */
  retained?: boolean;
}

/**
 * The Feature getters of a lean feature, read from its `declaration` (a getter returning a
 * module-level table: on the prototype, so the instance holds nothing for it; declaredFeature
 * makes the class with that getter). A feature with
 * `routes` implements RouteOwner, one with `topics` MessageOwner; the table says which, as it
 * says that the feature is its own status source or retained topic.
 */
export abstract class DeclaredFeature implements Feature {
  /** What the gateway gives the feature (feature-context.ts). */
  protected readonly ctx: FeatureContext;

  constructor(ctx: FeatureContext) {
    this.ctx = ctx;
  }

  protected abstract get declaration(): Declaration;

  get name(): string {
    return this.declaration.name;
  }
  get config(): Record<string, ConfigSpec> | undefined {
    return this.declaration.config;
  }
  get claims(): readonly ClaimDeclaration[] | undefined {
    return this.declaration.claims;
  }
  get status(): readonly StatusSource[] | undefined {
    return this.declaration.status ? [this as unknown as StatusSource] : undefined;
  }
  get retained(): readonly RetainedTopic[] | undefined {
    return this.declaration.retained ? [this as unknown as RetainedTopic] : undefined;
  }
  get routes(): readonly Route[] | undefined {
    const specs = this.declaration.routes;
    return specs && routesOf(this as unknown as RouteOwner, specs);
  }
  get subscribe(): readonly Subscription[] | undefined {
    const topics = this.declaration.topics;
    return topics && subscriptionsOf(this as unknown as MessageOwner, topics);
  }
}

/** The base class of a lean feature declaring `declaration`: `class X extends declaredFeature(TABLE)`. */
export function declaredFeature(declaration: Declaration) {
  abstract class Declared extends DeclaredFeature {
    protected get declaration(): Declaration {
      return declaration;
    }
  }
  return Declared;
}
