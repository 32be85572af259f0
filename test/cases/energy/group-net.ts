// A simulated LAN for load-sharing members on the virtual clock: each message
// reaches each other member after a random delay, or is lost, or is dropped
// because one end is partitioned; members crash and boot again with a new
// boot id. Each member is a gateway and a controller, as on the device
// (two chips): the gateway's ceiling reaches the controller's pilot after an
// actuation lag, and the controller runs on when the gateway stalls, with
// the real heartbeat supervision (modules/j1772/heartbeat.ts) the member sets
// up: `$SY 1 <fallback share>`, a pulse every 250 ms, a 10 ms control tick.
// The test reads the pilots, so the invariant is checked on offers, not on
// intentions.

import { GroupMember, type GroupSettings } from '../../../modules/energy/group/member';
import { CONTROLLER_TICK_MS, GROUP_TIMING, heartbeatSeconds } from '../../../modules/energy/group/timing';
import { Heartbeat, Trigger } from '../../../modules/j1772/heartbeat';
import { pulsePeriod } from '../../../modules/gateway/supervision';
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
  /** The controller's heartbeat supervision (default true); false: a frozen gateway's pilot stays where it was. */
  heartbeat?: boolean;
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
  /** Until this time the member's gateway is frozen (a starved event loop, a stalled CPU): none of its timers or messages run; its controller runs on. */
  stalledUntil: number;
  /** The controller's supervision of its gateway. */
  heartbeat: Heartbeat;
  /** The controller slept on a missed pulse (its fallback is under 6 A). */
  heartbeatSlept?: boolean;
  /** Times the controller fell back on a missed pulse (not counting the repeats while unacknowledged). */
  fallbacks: number;
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
    this.o = { seed: 1, maxDelay: 50, loss: 0, lag: 20, rotationMs: 60000, evMax: 32, heartbeat: true, ...o };
    this.#seed = this.o.seed;
    this.settings = { group: 'garage', key: 'a shared group key', limit: o.limit, size: o.size, min: 6, rotationMs: this.o.rotationMs };
    for (let i = 0; i < o.size; i++) {
      this.nodes.push({ id: `evse-${i + 1}`, up: false, partitioned: false, island: 0, slowBy: 0, wants: true, pilot: 0, boots: 0, stalledUntil: 0, heartbeat: new Heartbeat(0, 0, 0), fallbacks: 0 });
    }
    // The controllers' control loop: every 10 ms, whatever their gateways do.
    this.clock.repeat(() => {
      const now = this.clock.now();
      for (const n of this.nodes) {
        const before = n.heartbeat.trigger;
        if (!n.up || !n.heartbeat.expired(now)) continue;
        if (before !== Trigger.Missed) n.fallbacks++;
        if (n.heartbeat.fallback < 6) {
          n.pilot = 0;
          n.heartbeatSlept = true;
        } else n.pilot = Math.min(n.pilot, n.heartbeat.fallback);
      }
    }, CONTROLLER_TICK_MS);
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

  /** Member i's gateway freezes for `ms` from now (its controller runs on). */
  stall(i: number, ms: number): void {
    const n = this.nodes[i];
    n.stalledUntil = Math.max(n.stalledUntil, this.clock.now() + ms);
  }

  boot(i: number): void {
    const n = this.nodes[i];
    n.up = true;
    n.boots++;
    n.pilot = 0;
    n.heartbeatSlept = false;
    n.heartbeat = new Heartbeat(0, 0, this.clock.now());
    const member = new GroupMember({
      id: n.id,
      boot: `b${n.boots}-${Math.floor(this.rand() * 1e9)}`,
      now: () => this.clock.now(),
      settings: () => this.settings,
      want: () => (n.wants ? this.o.evMax : 0),
      offer: () => n.pilot,
      onCeiling: () => follow(),
    });
    // The gateway's command ($SC/$FS/$FE) reaches the controller after the actuation lag, frozen
    // gateway or not. While a missed pulse is unacknowledged the controller holds its fallback.
    const follow = () => {
      const offer = n.wants && member.ceiling() >= 6 ? Math.min(member.ceiling(), this.o.evMax) : 0;
      this.clock.set(() => {
        if (n.member !== member) return;
        const h = n.heartbeat;
        n.pilot = h.trigger === Trigger.Missed ? (n.heartbeatSlept ? 0 : Math.min(offer, h.fallback)) : offer;
      }, this.o.lag);
    };
    n.member = member;
    // The gateway's side of the supervision (`Supervision`, modules/gateway/evse-monitor.ts): `$SY interval share`
    // when it changes, a pulse every 250 ms; on a miss it pauses, acknowledges and re-applies its
    // ceiling (the claims pass writes the current before waking).
    const interval = heartbeatSeconds(member.timing);
    const supervise = () => {
      if (n.member !== member || !n.up) return;
      if (this.o.heartbeat) {
        const want = member.ceilingWithoutGrant();
        const h = n.heartbeat;
        this.clock.set(() => {
          if (n.member !== member) return;
          const now = this.clock.now();
          // A pulse first when it supervises (setting it anew would clear a miss unseen), then the setting.
          if (h.interval > 0 && !h.pulse(now)) {
            n.pilot = 0;
            h.acknowledge(now);
            n.heartbeatSlept = false;
            follow();
          } else if (h.interval !== interval || h.fallback !== want) h.configure(interval, want, now);
        }, 1);
      }
      this.#on(n, supervise, pulsePeriod(interval));
    };
    this.#on(n, supervise, 0);
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
