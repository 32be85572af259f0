// Who gets the RAPI link next. The link carries one command at a time, and
// several sources want it: the monitor's polls, people over HTTP, MQTT
// integrations, the claims arbiter, config writes, OCPP. Each source has its
// own bounded queue and a share; the scheduler serves the sources in turn
// (weighted round robin), each up to its share per round, so a flood on one
// source (1000 MQTT messages a second) fills only that source's queue and
// every other source still gets its turn within one round.
//
// A round is at most the sum of the shares of the busy sources, so a
// command waits at most (that sum) × (one exchange) behind other sources'
// work plus whatever its own source queued before it.

/** Share (commands per round) and queue length of each known source. */
export interface SourceRule {
  share: number;
  limit: number;
}

/**
 * The sources as data. A source not listed gets DEFAULT_RULE. People and the
 * arbiter get two turns a round, the gateway's own polls and the automated
 * integrations one; queue lengths are OpenEVSE's 10.
 */
export const SOURCE_RULES: Readonly<Record<string, SourceRule>> = Object.freeze({
  http: { share: 2, limit: 10 },
  claims: { share: 2, limit: 10 },
  config: { share: 2, limit: 10 },
  mqtt: { share: 1, limit: 10 },
  ocpp: { share: 2, limit: 10 },
  poll: { share: 1, limit: 10 },
});

export const DEFAULT_RULE: SourceRule = Object.freeze({ share: 1, limit: 10 });

interface Waiting<T> {
  source: string;
  item: T;
}

function ruleOf(rules: Readonly<Record<string, SourceRule>>, source: string): SourceRule {
  return Object.prototype.hasOwnProperty.call(rules, source) ? rules[source] : DEFAULT_RULE;
}

/**
 * One array in arrival order, not one per source: the device keeps a few
 * hundred bytes fewer alive, and a round still gives each waiting source its
 * share. Within a round the oldest waiting command of a source that has
 * turns left goes next; when no waiting source has turns left, a new round
 * starts. The queue holds at most (sources × limit) commands, so the scans
 * are short.
 */
export class RapiScheduler<T> {
  readonly #queue: Waiting<T>[] = [];
  readonly #rules: Readonly<Record<string, SourceRule>>;
  readonly #limitOverride?: number;
  /** Turns used in this round, per source. */
  #used: Record<string, number> = {};

  /** `limit` replaces every source's queue length (the client's `queueLimit` option). */
  constructor(options: { rules?: Readonly<Record<string, SourceRule>>; limit?: number } = {}) {
    this.#rules = options.rules ?? SOURCE_RULES;
    this.#limitOverride = options.limit;
  }

  /** Items waiting over all sources. */
  get size(): number {
    return this.#queue.length;
  }

  /** Items waiting from one source. */
  queued(source: string): number {
    let n = 0;
    for (const w of this.#queue) if (w.source === source) n++;
    return n;
  }

  /** Queues an item; false when that source's queue is full (the others are not affected). */
  push(source: string, item: T): boolean {
    if (this.queued(source) >= (this.#limitOverride ?? ruleOf(this.#rules, source).limit)) return false;
    this.#queue.push({ source, item });
    return true;
  }

  /** The next item by turn, or undefined when nothing waits. */
  next(): T | undefined {
    const q = this.#queue;
    if (q.length === 0) return undefined;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < q.length; i++) {
        const source = q[i].source;
        const used = this.#used[source] ?? 0;
        if (used >= ruleOf(this.#rules, source).share) continue;
        this.#used[source] = used + 1;
        return q.splice(i, 1)[0].item;
      }
      this.#used = {};
    }
    return undefined;
  }

  /** Removes and returns everything (on close). */
  drain(): T[] {
    return this.#queue.splice(0).map((w) => w.item);
  }
}
