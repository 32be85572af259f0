// The MQTT client's claim (OpenEVSE mqtt.cpp): `<base>/claim/set` files it
// (client 0x0001000b, priority 500) from JSON properties as /claims/{client}
// takes them, or releases it with `release`; the retained `<base>/claim`
// carries it, or {"state":"null"} when there is none. One object on the
// device: the feature is its own retained topic, and its subscription a part (feature-parts.ts).

import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext, RetainedTopic } from '../feature';
import { declaredFeature, type Declaration, type MessageOwner } from '../feature-parts';
import { jsonBody } from '../http-answer';

const DECLARATION: Declaration = {
  name: 'mqtt-claim',
  claims: [{ client: Client.Mqtt, priority: Priority.Mqtt }],
  topics: ['claim/set'],
  retained: true,
};

export class MqttClaimFeature extends declaredFeature(DECLARATION) implements RetainedTopic, MessageOwner {
  #version = 0;

  get topic(): string {
    return 'claim';
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    const c = this.ctx.claimOf(Client.Mqtt);
    return JSON.stringify(c ? propertiesJson(c.properties) : { state: 'null' });
  }

  claimsChanged(clients: readonly number[]): void {
    if (!clients.includes(Client.Mqtt)) return;
    this.#version++;
    this.ctx.publishRetained();
  }

  /** A `claim/set` message: JSON properties, or `release`. */
  message(_name: string, payload: string): void {
    const ctx = this.ctx;
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
