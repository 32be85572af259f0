// A feature's routes and MQTT subscriptions as small objects that hand each
// request or message to a method of the feature, by index, with their paths,
// methods and topics in the feature's module-level table (in flash when
// preloaded). A closure per handler, an object literal per route and the
// closure environments they share cost a lean feature on the device more
// than its state: this costs 3 slots a part.

import type { HttpRequest, HttpResponse } from '../ports';
import type { Route, Subscription } from './feature';

export interface RouteSpec {
  path: string;
  methods: readonly string[];
}

export interface RouteOwner {
  route(n: number, request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse;
}

export class RouteOf implements Route {
  readonly #owner: RouteOwner;
  readonly #spec: RouteSpec;
  readonly #n: number;

  constructor(owner: RouteOwner, specs: readonly RouteSpec[], n: number) {
    this.#owner = owner;
    this.#spec = specs[n];
    this.#n = n;
  }
  get path(): string {
    return this.#spec.path;
  }
  get methods(): readonly string[] {
    return this.#spec.methods;
  }
  handle(request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse {
    return this.#owner.route(this.#n, request, params);
  }
}

/** The routes of `specs`, each handled by `owner.route(n, …)`. */
export function routesOf(owner: RouteOwner, specs: readonly RouteSpec[]): Route[] {
  const routes: Route[] = [];
  for (let n = 0; n < specs.length; n++) routes.push(new RouteOf(owner, specs, n));
  return routes;
}

export interface MessageOwner {
  message(n: number, payload: string, topic: string): void;
}

export class SubscriptionOf implements Subscription {
  readonly #owner: MessageOwner;
  readonly #topic: string;
  readonly #n: number;

  constructor(owner: MessageOwner, topics: readonly string[], n: number) {
    this.#owner = owner;
    this.#topic = topics[n];
    this.#n = n;
  }
  get topic(): string {
    return this.#topic;
  }
  onMessage(payload: string, topic: string): void {
    this.#owner.message(this.#n, payload, topic);
  }
}

/** Subscriptions to `topics` (under the base topic), each handled by `owner.message(n, …)`. */
export function subscriptionsOf(owner: MessageOwner, topics: readonly string[]): Subscription[] {
  const subs: Subscription[] = [];
  for (let n = 0; n < topics.length; n++) subs.push(new SubscriptionOf(owner, topics, n));
  return subs;
}
