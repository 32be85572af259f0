// The FeatureContext each feature gets, as a class: its methods live once on
// the prototype, so a feature's context costs a few slots on the device, not
// a closure per member.

import type { Clock, Storage, Timers } from '../ports';
import type { Claim, ClaimState, EvseProperties, Target } from './claims';
import type { ConfigValue } from './config-store';
import type { EvseSnapshot } from './evse-snapshot';
import type { Feature, FeatureContext } from './feature';
import type { Inputs } from './inputs';
import type { RapiClient } from './rapi-client';
import type { Telemetry } from './telemetry';
import type { Gateway } from './gateway';

/** What the contexts share: the gateway (a type only, so no import cycle at run time). */
type Host = Gateway;

export class Context implements FeatureContext {
  readonly #host: Host;
  /** Set once the factory has returned: the declarations its claims are checked against. */
  feature?: Feature;

  constructor(host: Host) {
    this.#host = host;
  }

  get clock(): Clock {
    return this.#host.clock;
  }
  get timers(): Timers {
    return this.#host.timers;
  }
  get storage(): Storage {
    return this.#host.storage;
  }
  get rapi(): RapiClient {
    return this.#host.client;
  }
  get telemetry(): Telemetry {
    return this.#host.telemetry;
  }
  get inputs(): Inputs {
    return this.#host.inputs;
  }
  snapshot(): Readonly<EvseSnapshot> {
    return this.#host.monitor.snapshot;
  }
  config(key: string): ConfigValue | undefined {
    return this.#host.config.value(key);
  }
  updateConfig(update: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.#host.updateConfig(update);
  }
  voltage(): number {
    return this.#host.voltage();
  }
  uptime(): number {
    return this.#host.uptime();
  }
  id(): string {
    return this.#host.id;
  }
  version(): string {
    return this.#host.info.version ?? '5.1.0';
  }

  /** The priority this feature declared for `client` (a declaration without a client covers any). */
  priority(client: number): number | undefined {
    let any: number | undefined;
    for (const d of this.feature?.claims ?? []) {
      if (d.client === client) return d.priority;
      if (d.client === undefined) any = d.priority;
    }
    return any;
  }

  claim(client: number, properties: EvseProperties): Promise<boolean> {
    const p = this.priority(client);
    if (p === undefined) return Promise.reject(new Error(`feature ${this.feature?.name} declared no claim for client ${client}`));
    return this.#host.arbiter.claim(client, p, properties);
  }
  release(client: number): Promise<boolean> {
    return this.#host.arbiter.release(client);
  }
  claimOf(client: number): Claim | undefined {
    return this.#host.arbiter.claims.get(client);
  }
  claimList(): Claim[] {
    return this.#host.arbiter.claims.list();
  }
  claimsVersion(): number {
    return this.#host.arbiter.claims.version;
  }
  target(): Target {
    return this.#host.arbiter.claims.target();
  }
  state(): ClaimState {
    return this.#host.arbiter.state();
  }
  publishRetained(): void {
    this.#host.publishRetained();
  }
  log(line: string): void {
    this.#host.log(line);
  }
}
