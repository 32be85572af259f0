// The gateway's settings as data: each one's type, range and secrecy (SCHEMA,
// module code: in flash on the device), their defaults, and the names. The
// store that validates, keeps and saves them is config-store.ts.

/** What /config shows instead of a secret that is set (OpenEVSE's mask). */
export const SECRET_MASK = '__DUMMY_PASSWORD__';

type Kind =
  /** `max` counts UTF-8 bytes (what NVS, Wi-Fi and MQTT limit), not UTF-16 units. */
  | {
      type: 'string';
      max: number;
      /** A regular expression's source: text, since executing a RegExp object kept in a preloaded module crashes XS 8.2.3. */
      pattern?: string;
    }
  /** An MQTT topic name to publish to (no wildcards), or a topic filter to subscribe to. */
  | { type: 'topic'; max: number; filter: boolean }
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max: number }
  | { type: 'number'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] };

export type Spec = Kind & { secret?: true };

/** A setting a feature declares: its type and range, its default, whether it is a secret. */
export type ConfigSpec = Kind & { secret?: true; default: ConfigValue };

/** Gateway settings, by their /config names. */
export const SCHEMA = {
  ssid: { type: 'string', max: 32 },
  pass: { type: 'string', max: 64, secret: true },
  www_username: { type: 'string', max: 64 },
  www_password: { type: 'string', max: 64, secret: true },
  hostname: { type: 'string', max: 63, pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$' },
  sntp_enabled: { type: 'boolean' },
  sntp_hostname: { type: 'string', max: 128 },
  time_zone: { type: 'string', max: 128 },
  mqtt_enabled: { type: 'boolean' },
  mqtt_protocol: { type: 'enum', values: ['mqtt', 'mqtts'] },
  mqtt_server: { type: 'string', max: 128 },
  mqtt_port: { type: 'integer', min: 1, max: 65535 },
  mqtt_topic: { type: 'topic', max: 128, filter: false },
  mqtt_user: { type: 'string', max: 64 },
  mqtt_pass: { type: 'string', max: 64, secret: true },
  mqtt_reject_unauthorized: { type: 'boolean' },
  mqtt_retained: { type: 'boolean' },
  mqtt_vrms: { type: 'topic', max: 128, filter: true },
  mqtt_announce_topic: { type: 'topic', max: 128, filter: false },
  mqtt_solar: { type: 'topic', max: 128, filter: true },
  mqtt_grid_ie: { type: 'topic', max: 128, filter: true },
  emoncms_enabled: { type: 'boolean' },
  emoncms_server: { type: 'string', max: 128 },
  emoncms_node: { type: 'string', max: 32 },
  emoncms_apikey: { type: 'string', max: 64, secret: true },
  emoncms_fingerprint: { type: 'string', max: 64 },
  ohm_enabled: { type: 'boolean' },
  pause_uses_disabled: { type: 'boolean' },
  /** Web origins besides the charger's own that may change state from a browser (cross-site.ts), space-separated. */
  http_allowed_origins: { type: 'string', max: 256, pattern: '^\\s*([A-Za-z][A-Za-z0-9+.-]*://[^\\s,/?#]+/?[\\s,]*)*$' },
  nofos_network_profile: { type: 'integer', min: 0, max: 4 },
  /** Heartbeat supervision sent to the controller as `$SY interval current`. */
  heartbeat_interval: { type: 'integer', min: 0, max: 3600 },
  heartbeat_current: { type: 'integer', min: 0, max: 80 },
} as const satisfies Record<string, Spec>;

export type ConfigKey = keyof typeof SCHEMA;
export type ConfigValue = string | number | boolean;
export type ConfigDoc = { [K in ConfigKey]: (typeof SCHEMA)[K] extends { type: 'boolean' } ? boolean : (typeof SCHEMA)[K] extends { type: 'integer' } ? number : string };

export function defaults(id: string): ConfigDoc {
  const tail = id.slice(-4).toLowerCase();
  const hostname = `openevse-${tail}`;
  return {
    ssid: '',
    pass: '',
    www_username: '',
    www_password: '',
    hostname,
    sntp_enabled: true,
    sntp_hostname: 'pool.ntp.org',
    time_zone: 'Europe/London|GMT0BST,M3.5.0/1,M10.5.0',
    mqtt_enabled: false,
    mqtt_protocol: 'mqtt',
    mqtt_server: '',
    mqtt_port: 1883,
    mqtt_topic: hostname,
    mqtt_user: '',
    mqtt_pass: '',
    mqtt_reject_unauthorized: true,
    mqtt_retained: false,
    mqtt_vrms: '',
    mqtt_announce_topic: `openevse/announce/${tail}`,
    mqtt_solar: '',
    mqtt_grid_ie: '',
    emoncms_enabled: false,
    emoncms_server: 'https://emoncms.org',
    emoncms_node: hostname,
    emoncms_apikey: '',
    emoncms_fingerprint: '',
    ohm_enabled: false,
    pause_uses_disabled: false,
    http_allowed_origins: '',
    nofos_network_profile: 0,
    heartbeat_interval: 5,
    heartbeat_current: 6,
  };
}

export function isConfigKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(SCHEMA, key);
}

export function isSecret(key: ConfigKey): boolean {
  return (SCHEMA[key] as Spec).secret === true;
}
