// Load sharing inside real gateways: four gateways, each with its simulated
// station, on one virtual clock, reading each other's status stream through
// an in-memory WebSocket that carries exactly what /ws pushes (the status
// document on connect, then change fragments). The sum of the four pilots,
// as the simulated EVs see them, is checked every virtual millisecond.
import { describe, expect, it } from '../harness';
import { Gateway } from '../../../modules/gateway/gateway';
import { STANDARD_FEATURES } from '../../../modules/gateway/features/standard';
import { loadSharingFeature, memberAddresses } from '../../../modules/gateway/features/load-sharing';
import type { TimerId, Timers, WebSocketConnect } from '../../../modules/ports';
import { LinkEnd } from '../../../modules/rapi/link';
import { quarantineMs, GROUP_TIMING } from '../../../modules/energy/group/timing';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage as SimStorage } from '../../../sim/memory-storage';
import { MemoryStorage, bodyJson, flush, request, settle } from '../gateway/fixtures';

/**
 * A gateway's timers and input that a test can freeze, as a stalled CPU or a starved event loop
 * would: nothing of the gateway runs meanwhile; what came due runs when the freeze ends, in order,
 * a repeating timer once. The controller (a separate chip on the device) is not behind it.
 */
class Freezer implements Timers {
  #until = 0;
  #due: (() => void)[] = [];
  constructor(readonly clock: VirtualClock) {}

  get frozen(): boolean {
    return this.clock.now() < this.#until;
  }

  freeze(ms: number): void {
    this.#until = this.clock.now() + ms;
    this.clock.set(() => {
      const due = this.#due;
      this.#due = [];
      for (const f of due) f();
    }, ms);
  }

  /** Runs `f` in the gateway: now, or when the freeze ends. */
  run(f: () => void): void {
    if (!this.frozen) f();
    else if (!this.#due.includes(f)) this.#due.push(f);
  }

  set(callback: () => void, ms: number): TimerId {
    const t = { dead: false, id: undefined as TimerId };
    const f = () => {
      if (!t.dead) callback();
    };
    t.id = this.clock.set(() => this.run(f), ms);
    return t;
  }

  repeat(callback: () => void, ms: number): TimerId {
    const t = { dead: false, id: undefined as TimerId };
    const f = () => {
      if (!t.dead) callback();
    };
    t.id = this.clock.repeat(() => this.run(f), ms);
    return t;
  }

  clear(id: TimerId): void {
    const t = id as { dead: boolean; id: TimerId };
    t.dead = true;
    this.clock.clear(t.id);
  }
}

interface Unit {
  name: string;
  station: SimStation;
  gateway: Gateway;
  freezer: Freezer;
  cut: boolean;
  storage: MemoryStorage;
  controllerStorage: SimStorage;
  gw: LinkEnd;
}

/** `stagger`: ms between the units' power-ons, so their 500 ms publish rounds fall at different phases. */
function group(n: number, limit: number, stagger = 0) {
  const clock = new VirtualClock();
  const units: Unit[] = [];
  const connect: WebSocketConnect = (options, events) => {
    const target = units.find((u) => options.url === `ws://${u.name}:80/ws`);
    let open = true;
    let unsubscribe: (() => void) | undefined;
    const from = units.find((u) => u.gateway === current);
    const deliver = (text: string) =>
      clock.set(() => {
        if (open && target && !target.cut && !from?.cut) {
          if (from) from.freezer.run(() => events.onMessage(text));
          else events.onMessage(text);
        }
      }, 5);
    clock.set(() => {
      if (!target || !open) return events.onClose('no such host');
      events.onOpen('');
      deliver(JSON.stringify(target.gateway.telemetry.document()));
      unsubscribe = target.gateway.telemetry.subscribe((f) => deliver(JSON.stringify(f)));
    }, 2);
    return {
      send() {},
      close() {
        open = false;
        unsubscribe?.();
      },
    };
  };
  let current: Gateway | undefined;
  const gatewayOn = (i: number, gw: LinkEnd, storage: MemoryStorage, freezer: Freezer) => {
    const features = [...STANDARD_FEATURES, loadSharingFeature({ connect: (o, e) => ((current = gateway), connect(o, e)) })];
    const gateway: Gateway = new Gateway({ clock, timers: freezer, storage, link: gw, info: { id: `a1b2c3d4e5f${i}`, version: '5.1.0' }, features });
    gw.onReceive((b) => freezer.run(() => gateway.receive(b)));
    return gateway;
  };
  const build = (i: number, storage: MemoryStorage, controllerStorage: SimStorage) => {
    const name = `evse-${i + 1}`;
    const [gw, ctl] = LinkEnd.pair(clock);
    const station = new SimStation({ clock, output: ctl, storage: controllerStorage });
    ctl.onReceive((b) => station.receive(b));
    const freezer = new Freezer(clock);
    return { name, station, gateway: gatewayOn(i, gw, storage, freezer), freezer, gw, cut: false, storage, controllerStorage };
  };
  for (let i = 0; i < n; i++) {
    const storage = new MemoryStorage();
    const others = Array.from({ length: n }, (_, j) => `evse-${j + 1}:80`).filter((_, j) => j !== i);
    storage.write(
      'config',
      JSON.stringify({ v: 1, config_version: 1, values: { hostname: `evse-${i + 1}`, group_enabled: true, group_key: 'garage key', group_limit: limit, group_size: n, group_members: others.join(','), group_rotation_time: 30 } }),
    );
    units.push(build(i, storage, new SimStorage()));
  }
  const power = (u: Unit) => {
    u.station.start();
    current = u.gateway;
    u.gateway.start();
  };
  units.forEach((u, i) => (stagger ? clock.set(() => power(u), i * stagger) : power(u)));
  /** Unit i loses power and comes back on its saved settings (gateway and controller), its EV still plugged in. */
  const restart = (i: number) => {
    const old = units[i];
    old.station.stop();
    old.gateway.stop();
    const plugged = old.station.ev.plugged;
    units[i] = build(i, old.storage, old.controllerStorage);
    if (plugged) units[i].station.ev.plug();
    power(units[i]);
  };
  let samples = 0;
  let over = 0;
  let max = 0;
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await flush(4);
      const sum = units.reduce((a, u) => a + u.station.pilot.offer, 0);
      samples++;
      if (sum > limit) over++;
      if (sum > max) max = sum;
    }
  };
  /** Unit i's gateway reboots in-process (`/restart`): a new one on the same link and storage; the controller runs on. */
  const rebootGateway = (i: number) => {
    const u = units[i];
    u.gateway.stop();
    current = u.gateway = gatewayOn(i, u.gw, u.storage, u.freezer);
    u.gateway.start();
  };
  return { clock, units, run, restart, rebootGateway, stats: () => ({ samples, over, max }), get: (u: Unit, path: string) => settle(clock, u.gateway.http(request('GET', path))).then(bodyJson) };
}

describe('load sharing between gateways', () => {
  it('group_members lists host:port entries, commas or spaces', () => {
    expect(memberAddresses('10.0.0.2:80, evse-b.local:8080  [::1]:81,bad,also bad:x')).toEqual(['10.0.0.2:80', 'evse-b.local:8080', '[::1]:81']);
  });

  it('four chargers on a 20 A circuit: three EVs charge at 6–7 A, the fourth waits, never more than 20 A offered', async () => {
    const g = group(4, 20);
    await g.run(3000);
    for (const u of g.units) u.station.ev.plug();
    await g.run(25000);
    const offers = g.units.map((u) => u.station.pilot.offer);
    expect(offers.filter((a) => a >= 6).length).toBe(3);
    expect(offers.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20);
    const doc = await g.get(g.units[0], '/group');
    expect(doc.coordinating).toBe(true);
    expect(doc.peers.length).toBe(3);
    // One unit drops off the network: the rest keep sharing, and the sum holds.
    g.units[1].cut = true;
    await g.run(20000);
    expect(g.stats().over).toBe(0);
    expect(g.stats().max).toBeLessThanOrEqual(20);
    expect(g.stats().samples).toBeGreaterThan(40000);
  });
  it('a member that loses power with its EV plugged in comes back asleep, waits out its quarantine and rejoins; the sum holds', async () => {
    const g = group(4, 30);
    await g.run(3000);
    for (const u of g.units.slice(0, 3)) u.station.ev.plug();
    await g.run(25000);
    expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
    // Power cut at evse-2: station and gateway gone; it comes back 7 s later, EV still there.
    g.units[1].station.stop();
    g.units[1].gateway.stop();
    g.units[1].cut = true;
    await g.run(7000);
    g.restart(1);
    const changes: number[] = [];
    let last = g.units[1].station.pilot.offer;
    for (let t = 0; t < 30000; t += 10) {
      await g.run(10);
      const o = g.units[1].station.pilot.offer;
      if (o !== last) changes.push((last = o));
      if (t < quarantineMs(GROUP_TIMING) - 100) expect(o).toBe(0);
    }
    // Its fallback, then its share of the limit: no pause in between.
    expect(changes).toEqual([7, 10]);
    expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
    expect(g.stats().over).toBe(0);
    expect(g.stats().max).toBe(30);
  });

  it('a member whose gateway restarts in-process (/restart) while its controller goes on offering 10 A: paused within its quarantine, the sum holds', async () => {
    const g = group(4, 30, 130);
    await g.run(3000);
    for (const u of g.units.slice(0, 3)) u.station.ev.plug();
    await g.run(25000);
    expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
    for (const i of [1, 0]) {
      g.rebootGateway(i);
      let paused = -1;
      for (let t = 0; t < 30000; t += 10) {
        await g.run(10);
        if (paused < 0 && g.units[i].station.pilot.offer === 0) paused = t;
      }
      // The controller kept the old grant until the new gateway's pause, a few ms later.
      expect(paused).toBeGreaterThanOrEqual(0);
      expect(paused).toBeLessThan(500);
      expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
    }
    expect(g.stats().over).toBe(0);
    expect(g.stats().max).toBe(30);
  });
});

describe('load sharing when a gateway freezes and its controller runs on', () => {
  // The controller is a separate chip: it keeps its pilot while the gateway stalls. Its heartbeat
  // supervision ($SY 1 <fallback share>, set by the member) drops it to the share the coordinator
  // counts once the member is silent, whatever the length of the freeze.
  for (const ms of [3000, 10000, 60000]) {
    it(`a charging member's gateway frozen for ${ms / 1000} s: its controller falls back within 1.1 s (to 6 A: heartbeat_current, under the 7 A share), the others rise only after, never over 30 A; it rejoins`, async () => {
      const g = group(4, 30, 130);
      await g.run(3000);
      for (const u of g.units.slice(0, 3)) u.station.ev.plug();
      await g.run(25000);
      expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
      const hb = g.units[2].station.controller.heartbeat;
      expect([hb.interval, hb.fallback]).toEqual([1, 6]);
      const frozen = g.units[2];
      frozen.freezer.freeze(ms);
      let fellAt = -1;
      for (let t = 0; t < ms; t += 10) {
        await g.run(10);
        if (fellAt < 0 && frozen.station.pilot.offer <= 6) fellAt = t;
      }
      expect(fellAt).toBeGreaterThanOrEqual(0);
      expect(fellAt).toBeLessThanOrEqual(1100);
      if (ms >= 10000) {
        // The others share what the coordinator no longer counts: 30 − 7.
        expect(g.units[0].station.pilot.offer + g.units[1].station.pilot.offer).toBe(23);
        expect(frozen.station.pilot.offer).toBe(6);
      }
      await g.run(30000);
      expect(g.units.map((u) => u.station.pilot.offer)).toEqual([10, 10, 10, 0]);
      expect(g.stats().over).toBe(0);
      expect(g.stats().max).toBe(30);
    });
  }
});

describe('load sharing: what a member says its EV wants', () => {
  it('an EV plugged in keeps wanting through the group\'s pause and the wake after it (the controller reports state 0 for 250 ms on $FE), so grants do not toggle', async () => {
    const g = group(4, 20, 130);
    await g.run(3000);
    for (const u of g.units) u.station.ev.plug();
    await g.run(20000);
    // 20 A for four EVs: three charge, one waits; the turn passes every 30 s, so members pause and wake.
    let zero = 0;
    let published = 0;
    const lastSeq = new Map<string, number>();
    for (let t = 0; t < 95000; t += 5) {
      await g.run(5);
      for (const u of g.units) {
        const m = u.gateway.telemetry.document().group as unknown as { seq: number; want: number } | undefined;
        if (!m || lastSeq.get(u.name) === m.seq) continue;
        lastSeq.set(u.name, m.seq);
        published++;
        if (m.want === 0) zero++;
      }
    }
    expect(published).toBeGreaterThan(700);
    expect(zero).toBe(0);
    expect(g.stats().over).toBe(0);
  });
});
