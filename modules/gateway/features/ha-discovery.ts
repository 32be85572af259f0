// Home Assistant MQTT discovery (ha-discovery.ts has the documents): on by
// default, `mqtt_ha_discovery: false` turns it off, which publishes an empty
// retained payload on each config topic so Home Assistant removes the
// entities. Republished on every connect and when a setting they name moves.
//
// One object on the device: the feature is its own retained set (the MQTT
// bridge publishes its documents one a turn, each built as it goes out), its
// setting is a table at module level (in flash when preloaded).

import type { ConfigSpec } from '../config-store';
import type { Feature, FeatureContext, RetainedTopic } from '../feature';
import { declaredFeature, type Declaration } from '../feature-parts';
import { DISCOVERY_ENTITIES, discoveryDoc, discoveryTopic } from '../ha-discovery';

const CONFIG: Record<string, ConfigSpec> = { mqtt_ha_discovery: { type: 'boolean', default: true } };
const DECLARATION: Declaration = { name: 'ha-discovery', config: CONFIG, retained: true };
const NAMED = ['mqtt_ha_discovery', 'hostname', 'mqtt_topic', 'mqtt_announce_topic'];

export class HaDiscoveryFeature extends declaredFeature(DECLARATION) implements RetainedTopic {
  #version = 0;

  /** The set's name (its version's key in the bridge); each document has its own absolute topic. */
  get topic(): string {
    return 'homeassistant';
  }
  get absolute(): boolean {
    return true;
  }
  get count(): number {
    return DISCOVERY_ENTITIES;
  }
  version(): number {
    return this.#version;
  }
  payload(): string {
    return '';
  }
  member(i: number): { topic: string; payload: string } {
    const ctx = this.ctx;
    const topic = discoveryTopic(ctx.id(), i);
    if (ctx.config('mqtt_ha_discovery') === false) return { topic, payload: '' };
    const context = {
      id: ctx.id(),
      name: String(ctx.config('hostname')),
      base: String(ctx.config('mqtt_topic')),
      announce: String(ctx.config('mqtt_announce_topic')),
      version: ctx.version(),
      maxCurrent: ctx.snapshot().maxCurrentHard || 32,
    };
    return { topic, payload: JSON.stringify(discoveryDoc(context, i)) };
  }

  configChanged(keys: readonly string[]): void {
    for (const k of keys) {
      if (NAMED.includes(k)) {
        this.#version++;
        this.ctx.publishRetained();
        return;
      }
    }
  }
}

export function haDiscoveryFeature(ctx: FeatureContext): Feature {
  return new HaDiscoveryFeature(ctx);
}
