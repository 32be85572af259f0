// A simulated LAN for load-sharing members on the virtual clock: each message
// reaches each other member after a random delay, or is lost, or is dropped
// because one end is partitioned; members crash and boot again with a new
// boot id. Each member's pilot follows its ceiling after an actuation lag,
// and the test reads the pilots, so the invariant is checked on offers, not
// on intentions.

import { GroupMember, type GroupSettings } from '../../../modules/energy/group/member';
import { GROUP_TIMING } from '../../../modules/energy/group/timing';
import { VirtualClock } from '../../../sim/clock';

export interface NetOptions {
  size: number;
  limit: number;
  /** Members running at the start (default: all). */
  running?: number;
  seed?: number;
  /** ms, the most a message is delayed (uniform 1 … maxDelay). */
  maxDelay?: number;
  /** 0…1 of messages lost. */
  loss?: number;
  /** ms from ceiling change to pilot change. */
  lag?: number;
  rotationMs?: number;
  evMax?: number;
}

export interface Node {
  id: string;
  member?: GroupMember;
  up: boolean;
  /** Cut off from everyone. */
  partitioned: boolean;
  /** Members hear each other only on the same island (a split network). */
  island: number;
  /** ms added to every message this member receives (a slow link). */
  slowBy: number;
  wants: boolean;
  /** A on the pilot now. */
  pilot: number;
  boots: number;
  publisher?: unknown;
  /** Until this time the member's whole process is frozen (a starved event loop, a stalled CPU): nothing of it runs, its pilot stays. */
  stalledUntil: number;
}

export class Net {
  readonly clock = new VirtualClock();
  readonly nodes: Node[] = [];
  readonly settings: GroupSettings;
  readonly o: Required<Omit<NetOptions, 'running'>>;
  #seed: number;
  maxSum = 0;
  samples = 0;
  violations = 0;

  constructor(o: NetOptions) {
    this.o = { seed: 1, maxDelay: 50, loss: 0, lag: 20, rotationMs: 60000, evMax: 32, ...o };
    this.#seed = this.o.seed;
    this.settings = { group: 'garage', key: 'a shared group key', limit: o.limit, size: o.size, min: 6, rotationMs: this.o.rotationMs };
    for (let i = 0; i < o.size; i++) this.nodes.push({ id: `evse-${i + 1}`, up: false, partitioned: false, island: 0, slowBy: 0, wants: true, pilot: 0, boots: 0, stalledUntil: 0 });
    for (let i = 0; i < (o.running ?? o.size); i++) this.boot(i);
  }

  rand(): number {
    this.#seed = (this.#seed * 1103515245 + 12345) % 2147483648;
    return this.#seed / 2147483648;
  }

  /** Runs `f` as member `n`'s process would: at once, or when its stall ends (timers and I/O wait in order). */
  #on(n: Node, f: () => void, ms: number): void {
    const run = () => {
      const now = this.clock.now();
      if (now < n.stalledUntil) this.clock.set(run, n.stalledUntil - now);
      else f();
    };
    this.clock.set(run, ms);
  }

  /** Member i's process freezes for `ms` from now. */
  stall(i: number, ms: number): void {
    const n = this.nodes[i];
    n.stalledUntil = Math.max(n.stalledUntil, this.clock.now() + ms);
  }

  boot(i: number): void {
    const n = this.nodes[i];
    n.up = true;
    n.boots++;
    n.pilot = 0;
    const member = new GroupMember({
      id: n.id,
      boot: `b${n.boots}-${Math.floor(this.rand() * 1e9)}`,
      now: () => this.clock.now(),
      settings: () => this.settings,
      want: () => (n.wants ? this.o.evMax : 0),
      offer: () => n.pilot,
      onCeiling: () => follow(),
    });
    // The pilot follows the ceiling (and the EV's wish) after the actuation lag.
    const follow = () => {
      const offer = n.wants && member.ceiling() >= 6 ? Math.min(member.ceiling(), this.o.evMax) : 0;
      this.#on(n, () => {
        if (n.member === member) n.pilot = offer;
      }, this.o.lag);
    };
    n.member = member;
    const tick = () => {
      if (n.member !== member || !n.up) return;
      const msg = member.publish();
      for (const peer of this.nodes) {
        if (peer === n || n.partitioned) continue;
        if (this.rand() < this.o.loss) continue;
        const text = JSON.stringify(msg);
        this.#on(peer, () => {
          if (peer.up && !peer.partitioned && !n.partitioned && peer.island === n.island && peer.member) peer.member.receive(JSON.parse(text));
        }, 1 + Math.floor(this.rand() * this.o.maxDelay) + peer.slowBy);
      }
      this.#on(n, tick, GROUP_TIMING.publishMs);
    };
    this.#on(n, tick, Math.floor(this.rand() * GROUP_TIMING.publishMs));
    const lease = () => {
      if (n.member !== member || !n.up) return;
      member.tick();
      follow();
      this.#on(n, lease, 100);
    };
    this.#on(n, lease, 100);
  }

  crash(i: number): void {
    const n = this.nodes[i];
    n.up = false;
    n.member = undefined;
    n.pilot = 0;
  }

  sum(): number {
    return this.nodes.reduce((a, n) => a + n.pilot, 0);
  }

  /** Runs `ms`, checking the sum of pilots every ms. */
  run(ms: number, each?: (t: number) => void): void {
    for (let t = 0; t < ms; t++) {
      this.clock.advance(1);
      const sum = this.sum();
      this.samples++;
      if (sum > this.maxSum) this.maxSum = sum;
      if (sum > this.settings.limit) this.violations++;
      each?.(t);
    }
  }
}
