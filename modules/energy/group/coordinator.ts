// The coordinator's side of load sharing: who it may count as voting for
// it, what every member may be offering at worst, and the grants that keep
// the sum of those worst cases within the circuit limit.
//
// For member j at time t, the worst case (`exposure`) is the largest of
//   g               for each grant to j sent at T with T + C > t
//   min(g, s)       for each grant sent at T with T + permitMs + restrictMs > t
//   s               unless j has echoed a grant of ours sent at T with
//                   T + restrictMs > t + C + marginMs (before the new
//                   grants end, j cannot reach its fallback)
// where C = grantCountMs (timing.ts): how long a member may offer a grant,
// its permit plus, should its gateway freeze, its controller's heartbeat.
// and a member never heard of is counted at s. New grants may raise j above
// its exposure only out of the headroom L − Σ exposure; lowering is free.
// A coordinator grants nothing until it has held a majority for C
// (the grants of any earlier coordinator have then lapsed) and its own boot
// quarantine is over (it has forgotten what it granted in a past life).

import { divide } from './share';
import type { Grant } from './message';
import { grantCountMs, quarantineMs, type GroupTiming } from './timing';

export interface CoordinatorOptions {
  timing: GroupTiming;
  id: string;
  boot: string;
  bootAt: number;
  limit(): number;
  size(): number;
  min(): number;
  fallback(): number;
  /** ms per rotation turn when not every EV can have the minimum. */
  rotationMs(): number;
}

/** A member as the coordinator sees it this round. */
export interface Candidate {
  id: string;
  boot: string;
  /** A its EV would take. */
  want: number;
  /** Its last message's sequence number: the grant answers it. */
  seq: number;
}

interface Sent {
  seq: number;
  at: number;
  grants: Map<string, Grant>;
}

export class Coordinator {
  readonly #o: CoordinatorOptions;
  readonly #history: Sent[] = [];
  readonly #votes = new Map<string, number>();
  readonly #echoGrant = new Map<string, { boot: string; at: number }>();
  #leaderSince: number | undefined;

  constructor(options: CoordinatorOptions) {
    this.#o = options;
  }

  /** Member `id` (boot `boot`) published `vote` and echoed our message `echo`. */
  observe(id: string, boot: string, vote: string | null, echo: { boot: string; seq: number } | undefined): void {
    const sent = echo && echo.boot === this.#o.boot ? this.#history.find((h) => h.seq === echo.seq) : undefined;
    if (sent && vote === this.#o.id) this.#votes.set(id, sent.at + this.#o.timing.voteMs);
    else if (vote !== this.#o.id) this.#votes.delete(id);
    if (!sent) return;
    const g = sent.grants.get(id);
    if (!g || g.b !== boot) return;
    const prev = this.#echoGrant.get(id);
    if (!prev || prev.boot !== boot || prev.at < sent.at) this.#echoGrant.set(id, { boot, at: sent.at });
  }

  /** Members whose vote for us still binds them at `now` (our own included when `selfVote`). */
  votes(now: number, selfVote: boolean): number {
    let n = selfVote ? 1 : 0;
    for (const [id, until] of this.#votes) if (id !== this.#o.id && until > now) n++;
    return n;
  }

  get leading(): boolean {
    return this.#leaderSince !== undefined;
  }

  /** A, the most member `id` (now in boot `boot`) may be offering at some moment before `now + grantCountMs`. */
  exposure(id: string, boot: string | undefined, now: number): number {
    const t = this.#o.timing;
    const count = grantCountMs(t);
    const s = this.#o.fallback();
    let worst = 0;
    for (const h of this.#history) {
      const g = h.grants.get(id);
      if (!g) continue;
      if (h.at + count > now) worst = Math.max(worst, g.g);
      if (h.at + t.permitMs + t.restrictMs * (1 + t.drift) > now) worst = Math.max(worst, Math.min(g.g, s));
    }
    const e = this.#echoGrant.get(id);
    if (!e || e.boot !== boot || e.at + t.restrictMs <= now + count + t.marginMs) worst = Math.max(worst, s);
    return worst;
  }

  /**
   * The grants for our message `seq`, sent at `now`; undefined when we do not coordinate.
   * `known` are all members ever heard (boot undefined if unknown now), `candidates` those in sight that vote for us.
   */
  grants(now: number, seq: number, selfVote: boolean, known: ReadonlyMap<string, string | undefined>, candidates: readonly Candidate[]): Record<string, Grant> | undefined {
    const o = this.#o;
    const t = o.timing;
    this.#prune(now);
    const size = o.size();
    const majority = known.size <= size && this.votes(now, selfVote) * 2 > size;
    if (!majority) {
      this.#leaderSince = undefined;
      this.#history.push({ seq, at: now, grants: new Map() });
      return undefined;
    }
    this.#leaderSince ??= now;
    if (now < this.#leaderSince + grantCountMs(t) || now - o.bootAt < quarantineMs(t)) {
      this.#history.push({ seq, at: now, grants: new Map() });
      return undefined;
    }
    const limit = o.limit();
    const s = o.fallback();
    const min = o.min();
    // Steady state: members out of sight sit at their fallback; the rest share.
    const turn = Math.floor(now / Math.max(1000, o.rotationMs()));
    const wanted = divide({ budget: limit - s * (size - candidates.length), wants: candidates.map((c) => ({ id: c.id, amps: c.want })), min, turn });
    const exposure = new Map<string, number>();
    let total = s * (size - known.size);
    for (const [id, boot] of known) {
      const x = this.exposure(id, boot, now);
      exposure.set(id, x);
      total += x;
    }
    let headroom = limit - total;
    const out: Record<string, Grant> = {};
    const grants = new Map<string, Grant>();
    // Lowering first (free), then raising out of the headroom, largest shortfall first.
    const order = candidates.slice().sort((a, b) => (wanted.get(b.id)! - (exposure.get(b.id) ?? s)) - (wanted.get(a.id)! - (exposure.get(a.id) ?? s)));
    for (const c of order) {
      const want = wanted.get(c.id) ?? 0;
      const base = exposure.get(c.id) ?? s;
      let g = Math.min(want, base);
      if (want > base && headroom > 0) {
        const extra = Math.min(want - base, headroom);
        g = base + extra;
      }
      if (g < min) g = 0;
      if (g > base) headroom -= g - base;
      const grant: Grant = { g, b: c.boot, q: c.seq };
      out[c.id] = grant;
      grants.set(c.id, grant);
    }
    this.#history.push({ seq, at: now, grants });
    return out;
  }

  #prune(now: number): void {
    const t = this.#o.timing;
    const keep = Math.max(grantCountMs(t), t.permitMs + t.restrictMs * (1 + t.drift)) + t.marginMs + t.publishMs;
    while (this.#history.length > 0 && this.#history[0].at + keep < now) this.#history.shift();
  }
}
