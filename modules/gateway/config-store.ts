// The gateway's persistent settings: the schema (type, range, default, secret),
// validation of partial updates, masking of secrets, and persistence through
// the Storage port. One key holds the whole document, so the port's atomic
// per-key write makes every save all-or-nothing: after a power loss the store
// loads the old or the new document, never a mix.
//
// Settings that live in the controller (checks, service level, currents,
// ammeter calibration) are not here; the gateway reads them over RAPI and
// writes them back with RAPI commands (see controller-settings.ts).

import type { Storage } from '../ports';

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

type Spec = Kind & { secret?: true };

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

/** Bits of the OpenEVSE `flags` word that are booleans here (app_config.cpp order). */
const FLAG_BITS: readonly [ConfigKey, number][] = [
  ['emoncms_enabled', 0x0001],
  ['mqtt_enabled', 0x0002],
  ['mqtt_reject_unauthorized', 0x0004],
  ['ohm_enabled', 0x0008],
  ['sntp_enabled', 0x0010],
  ['pause_uses_disabled', 0x0400],
  ['mqtt_retained', 0x0800],
];

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

/** Length of a string in UTF-8 bytes (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when the string holds a C0 control character (U+0000–U+001F), DEL or a C1 control (U+0080–U+009F). */
export function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * Why an MQTT topic name (filter false) or topic filter (filter true) is not
 * valid, or undefined when it is (MQTT 3.1.1 §4.7): not empty, no U+0000 (the
 * broker drops the connection), no control characters or spaces here either;
 * in a name no `+` or `#`; in a filter `+` is a whole level and `#` is the
 * whole last level.
 */
export function topicProblem(topic: string, filter: boolean): string | undefined {
  if (topic === '') return 'is empty';
  if (hasControl(topic) || /\s/.test(topic)) return 'has control characters or spaces';
  const levels = topic.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (!filter) {
      if (l.includes('+') || l.includes('#')) return 'has a wildcard (+ or #)';
    } else if ((l.includes('+') && l !== '+') || (l.includes('#') && (l !== '#' || i !== levels.length - 1))) {
      return 'has a misplaced wildcard (+ must be a whole level, # the whole last level)';
    }
  }
  return undefined;
}

export function isConfigKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(SCHEMA, key);
}

export function isSecret(key: ConfigKey): boolean {
  return (SCHEMA[key] as Spec).secret === true;
}

/** Checks one value against the gateway's schema; returns the value to store or an error text. */
export function check(key: ConfigKey, value: unknown): { ok: true; value: ConfigValue } | { ok: false; error: string } {
  return checkSpec(key, SCHEMA[key] as Spec, value);
}

/** Checks one value against a spec. */
export function checkSpec(key: string, spec: Spec, value: unknown): { ok: true; value: ConfigValue } | { ok: false; error: string } {
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      return { ok: false, error: `${key} must be true or false` };
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return { ok: false, error: `${key} must be an integer` };
      if (value < spec.min || value > spec.max) return { ok: false, error: `${key} must be ${spec.min}…${spec.max}` };
      return { ok: true, value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, error: `${key} must be a number` };
      if (value < spec.min || value > spec.max) return { ok: false, error: `${key} must be ${spec.min}…${spec.max}` };
      return { ok: true, value };
    case 'enum':
      if (typeof value === 'string' && spec.values.includes(value)) return { ok: true, value };
      return { ok: false, error: `${key} must be one of ${spec.values.join(', ')}` };
    case 'string':
      if (typeof value !== 'string') return { ok: false, error: `${key} must be a string` };
      if (utf8Length(value) > spec.max) return { ok: false, error: `${key} is longer than ${spec.max} bytes` };
      // Stored as a C string in NVS and sent in protocol fields: no NUL, no control characters.
      if (hasControl(value)) return { ok: false, error: `${key} has control characters` };
      if (spec.pattern && value !== '' && !new RegExp(spec.pattern).test(value)) return { ok: false, error: `${key} has characters that are not allowed` };
      return { ok: true, value };
    case 'topic': {
      if (typeof value !== 'string') return { ok: false, error: `${key} must be a string` };
      if (utf8Length(value) > spec.max) return { ok: false, error: `${key} is longer than ${spec.max} bytes` };
      // An empty filter means "not used"; an empty topic name is refused.
      if (value === '' && spec.filter) return { ok: true, value };
      const problem = topicProblem(value, spec.filter);
      if (problem) return { ok: false, error: `${key} ${problem}` };
      return { ok: true, value };
    }
  }
}

export interface ConfigStoreOptions {
  storage: Storage;
  /** Device id (hex); the defaults of hostname and announce topic derive from it. */
  id: string;
  /** Storage key (default "config"). */
  key?: string;
  /** Settings the features declare, by /config name (they may not redefine the gateway's own). */
  extra?: Record<string, ConfigSpec>;
  /** Told what went wrong while loading (never a secret). */
  log?(line: string): void;
}

interface Persisted {
  v: 1;
  config_version: number;
  values: Record<string, ConfigValue>;
}

type Values = Record<string, ConfigValue>;

export class ConfigStore {
  readonly #storage: Storage;
  readonly #key: string;
  /** The features' settings; the gateway's own stay in SCHEMA (module code: in flash on the device). */
  readonly #extra: Record<string, Spec> = {};
  /** For the defaults, made when needed rather than kept (39 slots less on the device). */
  readonly #id: string;
  #values: Values;
  #version = 0;

  constructor(options: ConfigStoreOptions) {
    this.#storage = options.storage;
    this.#key = options.key ?? 'config';
    this.#id = options.id;
    for (const [k, spec] of Object.entries(options.extra ?? {})) {
      if (isConfigKey(k) || this.#extra[k]) throw new Error(`config key ${k} is declared twice`);
      this.#extra[k] = spec;
    }
    this.#values = this.#defaults();
    const text = this.#storage.read(this.#key);
    if (text === undefined) return;
    let parsed: Persisted | undefined;
    try {
      parsed = JSON.parse(text) as Persisted;
    } catch {
      options.log?.('config: stored document is not JSON; using defaults');
      return;
    }
    if (!parsed || typeof parsed !== 'object' || typeof parsed.values !== 'object' || parsed.values === null) {
      options.log?.('config: stored document has no values; using defaults');
      return;
    }
    this.#version = Number.isInteger(parsed.config_version) ? parsed.config_version : 0;
    for (const [k, v] of Object.entries(parsed.values)) {
      // A value the schema no longer accepts falls back to its default rather than breaking the boot.
      const spec = this.#spec(k);
      if (!spec) continue;
      const c = checkSpec(k, spec, v);
      if (c.ok) this.#values[k] = c.value;
      else options.log?.(`config: ignoring stored ${k}: ${c.error}`);
    }
  }

  get<K extends ConfigKey>(key: K): ConfigDoc[K] {
    return this.#values[key] as ConfigDoc[K];
  }

  /** Any setting by name, the features' included; undefined for an unknown name. */
  value(key: string): ConfigValue | undefined {
    return this.#spec(key) ? this.#values[key] : undefined;
  }

  /** Whether `key` is a setting here (the gateway's or a feature's). */
  knows(key: string): boolean {
    return this.#spec(key) !== undefined;
  }

  /** Increments on every change that was saved; clients use it to refetch /config. */
  get version(): number {
    return this.#version;
  }

  /** A copy of every setting, secrets included: for the core only, never for output. */
  all(): ConfigDoc & Values {
    return { ...this.#values } as ConfigDoc & Values;
  }

  /** Every setting with secrets masked, plus the `flags` word: what GET /config shows. */
  masked(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    for (const k of this.#keys()) {
      const v = this.#values[k];
      out[k] = this.#spec(k)!.secret ? (v === '' ? '' : SECRET_MASK) : v;
    }
    out.flags = this.flags();
    return out;
  }

  flags(): number {
    let f = 0;
    for (const [k, bit] of FLAG_BITS) if (this.#values[k] === true) f |= bit;
    return f;
  }

  /**
   * Validates a partial update without applying it. Unknown keys are left to
   * the caller (other owners, e.g. controller settings). The mask posted back
   * for a secret means "keep the old one".
   */
  validate(update: Record<string, unknown>): { ok: true; changes: Values } | { ok: false; error: string } {
    const changes: Values = {};
    for (const [k, v] of Object.entries(update)) {
      const spec = this.#spec(k);
      if (!spec) continue;
      if (spec.secret && v === SECRET_MASK) continue;
      const c = checkSpec(k, spec, v);
      if (!c.ok) return c;
      if (this.#values[k] !== c.value) changes[k] = c.value;
    }
    return { ok: true, changes };
  }

  /** Applies validated changes and saves; returns the keys that changed. */
  apply(changes: Values): ConfigKey[] {
    const keys = Object.keys(changes).filter((k) => this.#spec(k) && this.#values[k] !== changes[k]);
    if (keys.length === 0) return [];
    const next = { ...this.#values };
    for (const k of keys) next[k] = changes[k];
    const version = this.#version + 1;
    // Save first: if the write throws, memory still matches what is stored.
    this.#storage.write(this.#key, this.#serialise(next, version));
    this.#values = next;
    this.#version = version;
    return keys as ConfigKey[];
  }

  /** Validates and applies in one step. */
  update(update: Record<string, unknown>): { ok: true; changed: ConfigKey[] } | { ok: false; error: string } {
    const v = this.validate(update);
    if (!v.ok) return v;
    return { ok: true, changed: this.apply(v.changes) };
  }

  /** Back to defaults (the /reset endpoint); the stored document is removed. */
  reset(): void {
    this.#storage.remove(this.#key);
    this.#values = this.#defaults();
    this.#version++;
  }

  #defaults(): Values {
    const d: Values = { ...defaults(this.#id) };
    for (const k in this.#extra) d[k] = (this.#extra[k] as ConfigSpec).default;
    return d;
  }

  #spec(key: string): Spec | undefined {
    return isConfigKey(key) ? (SCHEMA[key] as Spec) : this.#extra[key];
  }

  #keys(): string[] {
    return [...Object.keys(SCHEMA), ...Object.keys(this.#extra)];
  }

  #serialise(values: Values, version: number): string {
    // Only what differs from the defaults, so a new default reaches old installs.
    const diff: Values = {};
    const d = this.#defaults();
    for (const k of this.#keys()) if (values[k] !== d[k]) diff[k] = values[k];
    const doc: Persisted = { v: 1, config_version: version, values: diff };
    return JSON.stringify(doc);
  }
}
