// Home Assistant MQTT discovery (ha-discovery.ts has the documents): on by
// default, `mqtt_ha_discovery: false` turns it off, which publishes an empty
// retained payload on each config topic so Home Assistant removes the
// entities. Republished on every connect and when a setting they name moves.

import type { Feature, FeatureContext, RetainedTopic } from '../feature';
import { DISCOVERY_ENTITIES, discoveryDocs, type DiscoveryContext } from '../ha-discovery';

export function haDiscoveryFeature(ctx: FeatureContext): Feature {
  let version = 0;
  const context = (): DiscoveryContext => ({
    id: ctx.id(),
    name: String(ctx.config('hostname')),
    base: String(ctx.config('mqtt_topic')),
    announce: String(ctx.config('mqtt_announce_topic')),
    version: ctx.version(),
    maxCurrent: ctx.snapshot().maxCurrentHard || 32,
  });
  const retained: RetainedTopic[] = [];
  for (let i = 0; i < DISCOVERY_ENTITIES; i++) {
    retained.push({
      // the topics hold the device id only, which never changes
      topic: discoveryDocs({ id: ctx.id(), name: '', base: '', announce: '', version: '', maxCurrent: 0 })[i].topic,
      absolute: true,
      version: () => version,
      payload: () => (ctx.config('mqtt_ha_discovery') === false ? '' : JSON.stringify(discoveryDocs(context())[i].config)),
    });
  }
  return {
    name: 'ha-discovery',
    config: { mqtt_ha_discovery: { type: 'boolean', default: true } },
    retained,
    configChanged(keys) {
      if (keys.some((k) => k === 'mqtt_ha_discovery' || k === 'hostname' || k === 'mqtt_topic' || k === 'mqtt_announce_topic')) {
        version++;
        ctx.publishRetained();
      }
    },
  };
}
