// A member's side of the load-sharing leases: what it may offer now.
//
//   permit       a grant answering this member's message m lets it offer g
//                until send(m) + permitMs·(1 − drift) − margin: the
//                coordinator sent the grant after it read m, so it counts g
//                at least that long;
//   restriction  the same grant holds the member at min(g, fallback) until
//                receipt + restrictMs·(1 + drift): longer than the
//                coordinator counts it at that value;
//   fallback     with neither, the member offers its fallback share, and
//                nothing during its boot quarantine (a lease from before a
//                crash may still be counted).
//
// A grant that arrives after its permit would already have ended is refused
// (and not echoed), so a delayed message can never extend a lease.

import { quarantineMs, type GroupTiming } from './timing';

export interface LeaseOptions {
  timing: GroupTiming;
  bootAt: number;
  /** A, the fallback share. */
  fallback(): number;
}

export class Lease {
  readonly #o: LeaseOptions;
  readonly #sent = new Map<number, number>();
  #permit?: { g: number; until: number };
  #restrict?: { g: number; until: number };

  constructor(options: LeaseOptions) {
    this.#o = options;
  }

  /** This member sent its message `seq` at `at`. */
  sent(seq: number, at: number): void {
    this.#sent.set(seq, at);
    // Grants answer recent messages only; older send times are useless.
    const oldest = at - this.#o.timing.permitMs;
    for (const [q, t] of this.#sent) if (t < oldest) this.#sent.delete(q);
  }

  /** A grant of `g` A answering this member's message `q`, received at `now`. Returns whether it was taken. */
  grant(g: number, q: number, now: number): boolean {
    const t = this.#o.timing;
    const sentAt = this.#sent.get(q);
    if (sentAt === undefined) return false;
    const until = sentAt + t.permitMs * (1 - t.drift) - t.marginMs;
    if (now >= until) return false;
    this.#permit = { g, until };
    this.#restrict = { g, until: now + t.restrictMs * (1 + t.drift) };
    return true;
  }

  fallback(now: number): number {
    return now - this.#o.bootAt < quarantineMs(this.#o.timing) ? 0 : this.#o.fallback();
  }

  /** A, the most this member may offer at `now`. */
  ceiling(now: number): number {
    if (this.#permit && now < this.#permit.until) return this.#permit.g;
    const f = this.fallback(now);
    if (this.#restrict && now < this.#restrict.until) return Math.min(this.#restrict.g, f);
    return f;
  }

  /** Whether a live grant (not the fallback) sets the ceiling. */
  granted(now: number): boolean {
    return this.#permit !== undefined && now < this.#permit.until;
  }
}
