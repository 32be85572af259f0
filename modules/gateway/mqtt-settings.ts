// The MQTT bridge's settings from the config store: the broker, the base and
// announce topics, and the features' subscriptions (a change of any of them
// reconnects, so a new input topic is subscribed at once).

import type { ConfigStore } from './config-store';
import { subscriptionTopic, type Feature } from './feature';
import type { MqttSettings } from './mqtt-bridge';
import type { NetworkInfo } from './status';

/**
 * The settings whose change reapplies the bridge's: every `mqtt_*` key (the broker, the
 * topics, and the features' input topics named by such keys) and the hostname (the client's
 * name and its http address).
 */
const PREFIX = 'mqtt_';
const KEYS: readonly string[] = ['hostname'];

/** Whether a change of `keys` reapplies the bridge's settings. */
export function reconfiguresMqtt(keys: readonly string[]): boolean {
  for (const k of keys) if (k.startsWith(PREFIX) || KEYS.includes(k)) return true;
  return false;
}

export function bridgeSettings(c: ConfigStore, id: string, net: NetworkInfo, features: readonly Feature[]): MqttSettings {
  const topic = c.get('mqtt_topic');
  const topics: string[] = [];
  for (const f of features) for (const s of f.subscribe ?? []) topics.push(subscriptionTopic(s, topic));
  return {
    enabled: c.get('mqtt_enabled'),
    protocol: c.get('mqtt_protocol') === 'mqtts' ? 'mqtts' : 'mqtt',
    server: c.get('mqtt_server'),
    port: c.get('mqtt_port'),
    topic,
    user: c.get('mqtt_user'),
    pass: c.get('mqtt_pass'),
    rejectUnauthorized: c.get('mqtt_reject_unauthorized'),
    retained: c.get('mqtt_retained'),
    topics: topics.join('\n'),
    announceTopic: c.get('mqtt_announce_topic'),
    id,
    name: c.get('hostname'),
    http: `http://${net.ipaddress || c.get('hostname') + '.local'}/`,
  };
}
