// The gateway's persistent settings (their schema is config-schema.ts):
// validation of partial updates, masking of secrets, and persistence through
// the Storage port. One key holds the whole document, so the port's atomic
// per-key write makes every save all-or-nothing: after a power loss the store
// loads the old or the new document, never a mix.
//
// Settings that live in the controller (checks, service level, currents,
// ammeter calibration) are not here; the gateway reads them over RAPI and
// writes them back with RAPI commands (see controller-settings.ts).

import type { Storage } from '../ports';
import { defaults, isConfigKey, SCHEMA, SECRET_MASK, type ConfigDoc, type ConfigKey, type ConfigSpec, type ConfigValue, type Spec } from './config-schema';

// The schema's names, for the modules that imported them from here.
export * from './config-schema';

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

/** Each of the gateway's settings' place in a store's values (SCHEMA's order; made at load, in flash once preloaded). */
const PLACE: Readonly<Record<string, number>> = placesOf(Object.keys(SCHEMA));
const SCHEMA_SIZE = Object.keys(SCHEMA).length;

function placesOf(keys: string[]): Record<string, number> {
  const places: Record<string, number> = {};
  keys.forEach((k, i) => {
    places[k] = i;
  });
  return places;
}

export class ConfigStore {
  readonly #storage: Storage;
  readonly #key: string;
  /** The features' settings' places in the values, after the gateway's own (which stay in SCHEMA: in flash on the device). */
  readonly #extra: Record<string, number> = {};
  /** The features' settings' specs, in the order of their places. */
  readonly #extraSpecs: Spec[] = [];
  /** For the defaults, made when needed rather than kept (39 slots less on the device). */
  readonly #id: string;
  /**
   * Every setting's value at its place (PLACE, then #extra): an array, whose
   * items XS keeps in the chunk heap, where an object's properties took about
   * 50 of the device's 4 928 slots (docs/moddable.md, "What holds the memory").
   */
  #values: ConfigValue[];
  #version = 0;

  constructor(options: ConfigStoreOptions) {
    this.#storage = options.storage;
    this.#key = options.key ?? 'config';
    this.#id = options.id;
    for (const [k, spec] of Object.entries(options.extra ?? {})) {
      if (isConfigKey(k) || this.#place(k) !== undefined) throw new Error(`config key ${k} is declared twice`);
      this.#extra[k] = SCHEMA_SIZE + this.#extraSpecs.push(spec) - 1;
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
      if (c.ok) this.#values[this.#place(k)!] = c.value;
      else options.log?.(`config: ignoring stored ${k}: ${c.error}`);
    }
  }

  get<K extends ConfigKey>(key: K): ConfigDoc[K] {
    return this.#values[PLACE[key]] as ConfigDoc[K];
  }

  /** Any setting by name, the features' included; undefined for an unknown name. */
  value(key: string): ConfigValue | undefined {
    const i = this.#place(key);
    return i === undefined ? undefined : this.#values[i];
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
    const out: Values = {};
    const keys = this.#keys();
    for (let i = 0; i < keys.length; i++) out[keys[i]] = this.#values[i];
    return out as ConfigDoc & Values;
  }

  /** Every setting with secrets masked, plus the `flags` word: what GET /config shows. */
  masked(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    const keys = this.#keys();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = this.#values[i];
      out[k] = this.#spec(k)!.secret ? (v === '' ? '' : SECRET_MASK) : v;
    }
    out.flags = this.flags();
    return out;
  }

  flags(): number {
    let f = 0;
    for (const [k, bit] of FLAG_BITS) if (this.#values[PLACE[k]] === true) f |= bit;
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
      if (this.#values[this.#place(k)!] !== c.value) changes[k] = c.value;
    }
    return { ok: true, changes };
  }

  /** Applies validated changes and saves; returns the keys that changed. */
  apply(changes: Values): ConfigKey[] {
    const keys = Object.keys(changes).filter((k) => this.#spec(k) && this.#values[this.#place(k)!] !== changes[k]);
    if (keys.length === 0) return [];
    const next = this.#values.slice();
    for (const k of keys) next[this.#place(k)!] = changes[k];
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

  #defaults(): ConfigValue[] {
    const d: Values = defaults(this.#id);
    const out: ConfigValue[] = [];
    for (const k in SCHEMA) out.push(d[k]);
    for (const spec of this.#extraSpecs) out.push((spec as ConfigSpec).default);
    return out;
  }

  #spec(key: string): Spec | undefined {
    if (isConfigKey(key)) return SCHEMA[key] as Spec;
    const i = this.#place(key);
    return i === undefined ? undefined : this.#extraSpecs[i - SCHEMA_SIZE];
  }

  /** A setting's place in the values; undefined for an unknown name (`constructor` too). */
  #place(key: string): number | undefined {
    if (isConfigKey(key)) return PLACE[key];
    return Object.prototype.hasOwnProperty.call(this.#extra, key) ? this.#extra[key] : undefined;
  }

  #keys(): string[] {
    return [...Object.keys(SCHEMA), ...Object.keys(this.#extra)];
  }

  #serialise(values: ConfigValue[], version: number): string {
    // Only what differs from the defaults, so a new default reaches old installs.
    const diff: Values = {};
    const d = this.#defaults();
    const keys = this.#keys();
    for (let i = 0; i < keys.length; i++) if (values[i] !== d[i]) diff[keys[i]] = values[i];
    const doc: Persisted = { v: 1, config_version: version, values: diff };
    return JSON.stringify(doc);
  }
}
