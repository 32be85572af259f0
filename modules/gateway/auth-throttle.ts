// The throttle on HTTP credential guessing. It starts from the decaying
// counter of OpenEVSE's WiFi firmware (web_auth.cpp: every wrong Basic
// credential counts, one failure is forgiven per minute, ten recent failures
// lock), with two changes so that it really slows guessing:
//
// * While a peer is locked its credentials are not even checked: right or
//   wrong they get 429, so a lock cannot be used as an oracle (OpenEVSE lets
//   the right password through at once, so 50 guesses take 0.02 s). Locked
//   attempts do not count, so the lock ends on its own: one guess per minute.
// * The count is kept per peer address, so a guesser locks out only itself:
//   Home Assistant or evcc on another address keep getting in. A guesser
//   spreading over many addresses runs into a second, global count; while
//   that is locked only addresses that have logged in before get a check.
//
// A host that cannot tell the peer's address passes none; every peer then
// shares one count (see docs/security.md).

/** One failure forgiven per this many ms (AUTH_THROTTLE_DECAY_SECS). */
export const DECAY_MS = 60000;
/** A peer is locked at this many recent failures (AUTH_THROTTLE_LOCK_AT). */
export const LOCK_AT = 10;
/** Every peer that never logged in is locked at this many recent failures over all peers. */
export const GLOBAL_LOCK_AT = 30;
/** Peers remembered; the oldest of those that never logged in is forgotten first. */
export const MAX_PEERS = 16;

/** A count of failures that loses one every DECAY_MS. */
class Decaying {
  #fails = 0;
  #updated = 0;

  recent(now: number): number {
    if (this.#fails === 0) return 0;
    const decay = Math.floor(Math.max(0, now - this.#updated) / DECAY_MS);
    return decay >= this.#fails ? 0 : this.#fails - decay;
  }

  add(now: number): void {
    // Keep the part of a minute already elapsed, so decay is not restarted by each failure.
    const recent = this.recent(now);
    const elapsed = recent === 0 ? 0 : Math.max(0, now - this.#updated) % DECAY_MS;
    this.#fails = recent + 1;
    this.#updated = now - elapsed;
  }

  clear(now: number): void {
    this.#fails = 0;
    this.#updated = now;
  }

  /** ms until recent() drops below `limit` (0 if it is already). */
  until(limit: number, now: number): number {
    const recent = this.recent(now);
    if (recent < limit) return 0;
    const elapsed = Math.max(0, now - this.#updated) % DECAY_MS;
    return (recent - limit + 1) * DECAY_MS - elapsed;
  }
}

interface Peer {
  address: string;
  fails: Decaying;
  /** Has given the right credentials since it was first seen. */
  trusted: boolean;
  seen: number;
}

export class AuthThrottle {
  readonly #peers: Peer[] = [];
  readonly #global = new Decaying();

  /** Failures of one peer left after the decay, at monotonic time `now` (ms). */
  recent(now: number, address = ''): number {
    return this.#find(address)?.fails.recent(now) ?? 0;
  }

  /**
   * Whether credentials from this peer may be checked now; when not, the
   * seconds to wait (for Retry-After).
   */
  check(now: number, address = ''): { ok: true } | { ok: false; retryAfter: number } {
    const peer = this.#find(address);
    let wait = peer ? peer.fails.until(LOCK_AT, now) : 0;
    if (!peer?.trusted) wait = Math.max(wait, this.#global.until(GLOBAL_LOCK_AT, now));
    return wait > 0 ? { ok: false, retryAfter: Math.ceil(wait / 1000) } : { ok: true };
  }

  locked(now: number, address = ''): boolean {
    return !this.check(now, address).ok;
  }

  failure(now: number, address = ''): void {
    const peer = this.#peer(address, now);
    peer.fails.add(now);
    peer.seen = now;
    this.#global.add(now);
  }

  success(now: number, address = ''): void {
    const peer = this.#peer(address, now);
    peer.fails.clear(now);
    peer.trusted = true;
    peer.seen = now;
  }

  #find(address: string): Peer | undefined {
    for (const p of this.#peers) if (p.address === address) return p;
    return undefined;
  }

  #peer(address: string, now: number): Peer {
    const found = this.#find(address);
    if (found) return found;
    if (this.#peers.length >= MAX_PEERS) {
      // Forget the oldest peer that never logged in; if all have, the oldest.
      let victim = -1;
      for (let i = 0; i < this.#peers.length; i++) {
        const p = this.#peers[i];
        if (victim < 0) victim = i;
        const v = this.#peers[victim];
        if ((v.trusted && !p.trusted) || (v.trusted === p.trusted && p.seen < v.seen)) victim = i;
      }
      this.#peers.splice(victim, 1);
    }
    const peer: Peer = { address, fails: new Decaying(), trusted: false, seen: now };
    this.#peers.push(peer);
    return peer;
  }
}
