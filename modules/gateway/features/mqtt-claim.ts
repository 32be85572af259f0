// The MQTT client's claim (OpenEVSE mqtt.cpp): `<base>/claim/set` files it
// (client 0x0001000b, priority 500) from JSON properties as /claims/{client}
// takes them, or releases it with `release`; the retained `<base>/claim`
// carries it, or {"state":"null"} when there is none. One object on the
// device: the feature is its own retained topic and subscription.

import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { ClaimDeclaration, Feature, FeatureContext, RetainedTopic, Subscription } from '../feature';
import { jsonBody } from '../http-answer';

const CLAIMS: readonly ClaimDeclaration[] = [{ client: Client.Mqtt, priority: Priority.Mqtt }];

/** The subscription to `claim/set` (the feature itself is the retained `claim`: both would be `topic`). */
class ClaimSet implements Subscription {
  readonly #owner: MqttClaimFeature;
  constructor(owner: MqttClaimFeature) {
    this.#owner = owner;
  }
  get topic(): string {
    return 'claim/set';
  }
  onMessage(payload: string): void {
    this.#owner.set(payload);
  }
}

export class MqttClaimFeature implements Feature, RetainedTopic {
  readonly #ctx: FeatureContext;
  #version = 0;

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
  }

  get name(): string {
    return 'mqtt-claim';
  }
  get claims(): readonly ClaimDeclaration[] {
    return CLAIMS;
  }
  get subscribe(): readonly Subscription[] {
    return [new ClaimSet(this)];
  }
  get retained(): readonly RetainedTopic[] {
    return [this];
  }
  get topic(): string {
    return 'claim';
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    const c = this.#ctx.claimOf(Client.Mqtt);
    return JSON.stringify(c ? propertiesJson(c.properties) : { state: 'null' });
  }

  claimsChanged(clients: readonly number[]): void {
    if (!clients.includes(Client.Mqtt)) return;
    this.#version++;
    this.#ctx.publishRetained();
  }

  /** A `claim/set` message: JSON properties, or `release`. */
  set(payload: string): void {
    const ctx = this.#ctx;
    const p = payload.trim();
    if (p === 'release') {
      void ctx.release(Client.Mqtt);
      return;
    }
    const parsed = parseProperties(jsonBody(p));
    if (!parsed.ok) return ctx.log(`mqtt: claim/set: ${parsed.error}`);
    void ctx.claim(Client.Mqtt, parsed.properties).then((ok) => {
      if (!ok) ctx.log('mqtt: claim/set: could not make claim');
    });
  }
}

export function mqttClaimFeature(ctx: FeatureContext): Feature {
  return new MqttClaimFeature(ctx);
}
