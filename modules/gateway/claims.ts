// The claims arbiter of OpenEVSE's WiFi firmware (evse_man.cpp): every
// feature that wants the charger in some state (the manual override, an API
// client such as evcc, later divert or a schedule) files a claim of EVSE
// properties with a priority; for each property the highest-priority claim
// that sets it wins. The gateway turns the winning target into RAPI commands
// (charge-target.ts). Pure data, no I/O.

/** `state` of a claim: offer charge or pause. */
export type ClaimState = 'active' | 'disabled';

/** The properties a claim may set; an absent one is left to lower claims. */
export interface EvseProperties {
  state?: ClaimState;
  /** A, the current this claim asks for. */
  charge_current?: number;
  /** A, a cap on whatever current wins (load sharing), above all priorities. */
  max_current?: number;
  /** Release this claim when the EV disconnects. */
  auto_release?: boolean;
}

export interface Claim {
  client: number;
  priority: number;
  properties: EvseProperties;
}

/** Priorities, as OpenEVSE's evse_man.h has them. */
export const Priority = {
  Default: 10,
  Divert: 50,
  Timer: 100,
  Boost: 200,
  Api: 500,
  Mqtt: 500,
  Manual: 1000,
  Rfid: 1030,
  Ocpp: 1050,
  Limit: 1100,
  Safety: 5000,
  Error: 10000,
} as const;

/** Client ids are vendor << 16 | n; the OpenEVSE vendor is 1. */
export const Client = {
  Manual: 0x00010001,
  Mqtt: 0x0001000b,
} as const;

/** Simultaneous claims (EVSE_MANAGER_MAX_CLIENT_CLAIMS). */
export const MAX_CLAIMS = 10;

/** The resolved properties and which client owns each. */
export interface Target {
  properties: EvseProperties;
  owners: { state?: number; charge_current?: number; max_current?: number };
}

/** OpenEVSE's wire shape of a set of properties: absent ones omitted, auto_release always present. */
export function propertiesJson(p: EvseProperties): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (p.state !== undefined) out.state = p.state;
  if (p.charge_current !== undefined) out.charge_current = p.charge_current;
  if (p.max_current !== undefined) out.max_current = p.max_current;
  out.auto_release = p.auto_release ?? false;
  return out;
}

/**
 * Reads a properties document as clients post it (`/override`, `/claims/{id}`).
 * `"clear"` removes a property (as OpenEVSE documents); currents are whole amps
 * (a fraction is cut, as the firmware's integer fields do); anything else of
 * the wrong type is refused rather than guessed at.
 */
export function parseProperties(doc: unknown, base: EvseProperties = {}): { ok: true; properties: EvseProperties } | { ok: false; error: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'Could not parse JSON' };
  const d = doc as Record<string, unknown>;
  const out: EvseProperties = { ...base };
  if ('state' in d) {
    const s = d.state;
    if (s === 'clear') delete out.state;
    else if (s === 'active' || s === 'disabled') out.state = s;
    else return { ok: false, error: 'state must be "active", "disabled" or "clear"' };
  }
  for (const key of ['charge_current', 'max_current'] as const) {
    if (!(key in d)) continue;
    const v = d[key];
    if (v === 'clear') delete out[key];
    else if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 0x100000000) out[key] = Math.trunc(v);
    else return { ok: false, error: `${key} must be a number of amps ≥ 0 or "clear"` };
  }
  if ('auto_release' in d) {
    if (typeof d.auto_release !== 'boolean') return { ok: false, error: 'auto_release must be true or false' };
    out.auto_release = d.auto_release;
  }
  return { ok: true, properties: out };
}

function same(a: EvseProperties, b: EvseProperties): boolean {
  return a.state === b.state && a.charge_current === b.charge_current && a.max_current === b.max_current && (a.auto_release ?? false) === (b.auto_release ?? false);
}

export class Claims {
  readonly #claims: Claim[] = [];
  #version = 0;
  /** target() as of `#targetVersion`: asked on every /status and telemetry update, changed only by claim and release. */
  #target?: Readonly<Target>;
  #targetVersion = -1;

  /** Bumped on every change (OpenEVSE `claims_version`, 8 bits there, unbounded here). */
  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#claims.length;
  }

  /** Files or replaces `client`'s claim; false when all slots are taken. */
  claim(client: number, priority: number, properties: EvseProperties): boolean {
    const i = this.#claims.findIndex((c) => c.client === client);
    const next: Claim = { client, priority, properties: { ...properties } };
    if (i >= 0) {
      const old = this.#claims[i];
      if (old.priority === priority && same(old.properties, properties)) return true;
      this.#claims[i] = next;
    } else {
      if (this.#claims.length >= MAX_CLAIMS) return false;
      this.#claims.push(next);
    }
    this.#version++;
    return true;
  }

  /** false when `client` had no claim. */
  release(client: number): boolean {
    const i = this.#claims.findIndex((c) => c.client === client);
    if (i < 0) return false;
    this.#claims.splice(i, 1);
    this.#version++;
    return true;
  }

  /** At the end of a session (the EV unplugged). Returns the clients released. */
  releaseAutoRelease(): number[] {
    const gone = this.#claims.filter((c) => c.properties.auto_release === true).map((c) => c.client);
    for (const client of gone) this.release(client);
    return gone;
  }

  get(client: number): Claim | undefined {
    const c = this.#claims.find((x) => x.client === client);
    return c && { client: c.client, priority: c.priority, properties: { ...c.properties } };
  }

  has(client: number): boolean {
    return this.#claims.some((c) => c.client === client);
  }

  list(): Claim[] {
    return this.#claims.map((c) => ({ client: c.client, priority: c.priority, properties: { ...c.properties } }));
  }

  /**
   * Per property, the claim with the highest priority that sets it; on equal
   * priority the earlier claim keeps it (OpenEVSE compares with `>`). Except
   * `max_current`: every cap applies, so the lowest one wins whatever its
   * priority (the shaper and load sharing both cap; neither may undo the
   * other, and no claim may lift a cap by outranking it).
   */
  target(): Readonly<Target> {
    if (this.#targetVersion !== this.#version || !this.#target) {
      this.#target = this.#merge();
      this.#targetVersion = this.#version;
    }
    return this.#target;
  }

  /** The merged target (target()), made afresh; frozen, since callers share it until the next change. */
  #merge(): Readonly<Target> {
    const properties: EvseProperties = {};
    const owners: Target['owners'] = {};
    const best = { state: 0, charge_current: 0 };
    for (const c of this.#claims) {
      for (const key of ['state', 'charge_current'] as const) {
        const v = c.properties[key];
        if (v === undefined || c.priority <= best[key]) continue;
        best[key] = c.priority;
        (properties as Record<string, unknown>)[key] = v;
        owners[key] = c.client;
      }
      const cap = c.properties.max_current;
      if (cap !== undefined && (properties.max_current === undefined || cap < properties.max_current)) {
        properties.max_current = cap;
        owners.max_current = c.client;
      }
    }
    return Object.freeze({ properties: Object.freeze(properties), owners: Object.freeze(owners) });
  }
}
