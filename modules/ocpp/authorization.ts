// Local authorisation (OCPP 1.6 §3.5): the authorisation cache, filled from
// every IdTagInfo the central system sends, and the local authorisation list
// the central system manages (SendLocalList, GetLocalListVersion). Both are
// persisted, so a charger that reboots while the central system is away can
// still start a session for a known card.

import type { Storage } from '../ports';

export type AuthStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo {
  status: AuthStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

const CACHE_KEY = 'ocpp.cache';
const LIST_KEY = 'ocpp.list';
/** Cache entries kept; the least recently confirmed go first. */
export const CACHE_SIZE = 32;
export const LIST_SIZE = 50;

const STATUSES: readonly string[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

export function isIdTagInfo(v: unknown): v is IdTagInfo {
  return typeof v === 'object' && v !== null && STATUSES.includes((v as IdTagInfo).status);
}

/** The status an entry gives at `now` (an Accepted entry past its expiry date is Expired). */
function effective(info: IdTagInfo, now: number): AuthStatus {
  if (info.status === 'Accepted' && info.expiryDate !== undefined && Date.parse(info.expiryDate) <= now) return 'Expired';
  return info.status;
}

export type UpdateStatus = 'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch';

export class Authorization {
  readonly #storage: Storage;
  /** Insertion order is recency: the first key is evicted first. */
  #cache = new Map<string, IdTagInfo>();
  #list = new Map<string, IdTagInfo>();
  #version = 0;

  constructor(storage: Storage) {
    this.#storage = storage;
    try {
      const cache = JSON.parse(storage.read(CACHE_KEY) ?? '[]') as [string, IdTagInfo][];
      for (const [k, v] of cache) if (typeof k === 'string' && isIdTagInfo(v)) this.#cache.set(k, v);
      const list = JSON.parse(storage.read(LIST_KEY) ?? '{"v":0,"e":[]}') as { v: number; e: [string, IdTagInfo][] };
      this.#version = Number.isInteger(list.v) ? list.v : 0;
      for (const [k, v] of list.e) if (typeof k === 'string' && isIdTagInfo(v)) this.#list.set(k, v);
    } catch {
      // A damaged store starts empty: the central system refills both.
    }
  }

  /**
   * What the charger knows of `idTag` without asking: the local list first
   * (it is the central system's word), then the cache if it is enabled.
   */
  lookup(idTag: string, now: number, options: { listEnabled: boolean; cacheEnabled: boolean }): AuthStatus | undefined {
    const listed = options.listEnabled ? this.#list.get(idTag) : undefined;
    if (listed) return effective(listed, now);
    const cached = options.cacheEnabled ? this.#cache.get(idTag) : undefined;
    return cached && effective(cached, now);
  }

  /** Every IdTagInfo from Authorize, StartTransaction or StopTransaction updates the cache. */
  remember(idTag: string, info: IdTagInfo): void {
    this.#cache.delete(idTag);
    this.#cache.set(idTag, info);
    while (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#storage.write(CACHE_KEY, JSON.stringify([...this.#cache]));
  }

  /** ClearCache. */
  clearCache(): void {
    this.#cache.clear();
    this.#storage.write(CACHE_KEY, '[]');
  }

  get listVersion(): number {
    return this.#version;
  }

  get listSize(): number {
    return this.#list.size;
  }

  /** SendLocalList: a Full list replaces, a Differential one adds, replaces and (without idTagInfo) removes. */
  update(doc: { listVersion: number; updateType: string; localAuthorizationList?: { idTag: string; idTagInfo?: IdTagInfo }[] }): UpdateStatus {
    const entries = doc.localAuthorizationList ?? [];
    if (!Number.isInteger(doc.listVersion) || entries.length > LIST_SIZE) return 'Failed';
    if (doc.updateType !== 'Full' && doc.updateType !== 'Differential') return 'Failed';
    if (doc.updateType === 'Differential' && doc.listVersion <= this.#version) return 'VersionMismatch';
    const next = doc.updateType === 'Full' ? new Map<string, IdTagInfo>() : new Map(this.#list);
    for (const e of entries) {
      if (typeof e.idTag !== 'string') return 'Failed';
      if (e.idTagInfo === undefined) {
        if (doc.updateType === 'Full') return 'Failed';
        next.delete(e.idTag);
      } else if (isIdTagInfo(e.idTagInfo)) next.set(e.idTag, e.idTagInfo);
      else return 'Failed';
    }
    if (next.size > LIST_SIZE) return 'Failed';
    this.#list = next;
    this.#version = doc.listVersion;
    this.#storage.write(LIST_KEY, JSON.stringify({ v: this.#version, e: [...this.#list] }));
    return 'Accepted';
  }
}
