// A virtual clock for tests and simulations: implements the Clock and Timers
// ports, and time moves only when `advance` is called, so five minutes of GFCI
// retry delay take a millisecond and every timing assertion is exact.

import type { Clock, TimerId, Timers } from '../modules/ports';

interface Pending {
  id: number;
  due: number;
  every: number; // 0 for one-shot
  callback: () => void;
}

export class VirtualClock implements Clock, Timers {
  #now: number;
  #wallOrigin: number;
  #nextId = 1;
  #pending: Pending[] = [];

  /** `wall` is the UTC time (ms) that monotonic time `start` corresponds to. */
  constructor(options: { start?: number; wall?: number } = {}) {
    this.#now = options.start ?? 0;
    this.#wallOrigin = (options.wall ?? Date.UTC(2026, 0, 1)) - this.#now;
  }

  now(): number {
    return this.#now;
  }

  wall(): number {
    return this.#wallOrigin + this.#now;
  }

  /** Sets the wall clock (as an SNTP sync would) without moving monotonic time. */
  setWall(utcMs: number): void {
    this.#wallOrigin = utcMs - this.#now;
  }

  set(callback: () => void, ms: number): TimerId {
    return this.#add(callback, ms, 0);
  }

  repeat(callback: () => void, ms: number): TimerId {
    return this.#add(callback, ms, Math.max(1, ms));
  }

  clear(id: TimerId): void {
    this.#pending = this.#pending.filter((p) => p.id !== id);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in due
   * order, with `now()` equal to each timer's due time while it runs.
   */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.#pending) if (p.due <= end && (!next || p.due < next.due || (p.due === next.due && p.id < next.id))) next = p;
      if (!next) break;
      this.#now = Math.max(this.#now, next.due);
      if (next.every) next.due += next.every;
      else this.#pending = this.#pending.filter((p) => p !== next);
      next.callback();
    }
    this.#now = end;
  }

  /** Advances in steps of `step` ms until `predicate` holds or `limit` ms pass; returns the time taken. */
  advanceUntil(predicate: () => boolean, limit: number, step = 1): number {
    const start = this.#now;
    while (!predicate()) {
      if (this.#now - start >= limit) throw new Error(`condition not met within ${limit} ms`);
      this.advance(step);
    }
    return this.#now - start;
  }

  #add(callback: () => void, ms: number, every: number): TimerId {
    const id = this.#nextId++;
    this.#pending.push({ id, due: this.#now + Math.max(0, ms), every, callback });
    return id;
  }
}
