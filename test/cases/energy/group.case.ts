// Load sharing among chargers on one circuit: fair shares, the 6 A minimum
// with rotation, and the invariant that the pilots never add up to more than
// the circuit limit, through boots, crashes, partitions, delays and loss,
// checked every virtual millisecond.
import { describe, expect, it } from '../harness';
import { divide } from '../../../modules/energy/group/share';
import { fallbackShare, grantCountMs, heartbeatSeconds, quarantineMs, GROUP_TIMING } from '../../../modules/energy/group/timing';
import { Net } from './group-net';
import { Coordinator } from '../../../modules/energy/group/coordinator';
import { Lease } from '../../../modules/energy/group/lease';

describe('fair division', () => {
  it('splits equally in whole amps, and gives what is left of a small want to the others', () => {
    const d = divide({ budget: 40, min: 6, turn: 0, wants: [{ id: 'a', amps: 32 }, { id: 'b', amps: 32 }, { id: 'c', amps: 10 }] });
    expect([d.get('a'), d.get('b'), d.get('c')]).toEqual([15, 15, 10]);
  });

  it('when the budget cannot give each EV 6 A, as many as fit charge and the turn rotates', () => {
    const wants = ['a', 'b', 'c', 'd'].map((id) => ({ id, amps: 32 }));
    const t0 = divide({ budget: 20, min: 6, turn: 0, wants });
    expect([...t0.values()].filter((a) => a > 0).length).toBe(3);
    expect([...t0.values()].reduce((a, b) => a + b, 0)).toBe(20);
    expect(t0.get('d')).toBe(0);
    const t1 = divide({ budget: 20, min: 6, turn: 1, wants });
    expect(t1.get('a')).toBe(0);
    expect(t1.get('d')).toBeGreaterThanOrEqual(6);
  });

  it('the fallback share is limit / size, or 0 when that is under 6 A', () => {
    expect(fallbackShare(40, 4, 6)).toBe(10);
    expect(fallbackShare(20, 4, 6)).toBe(0);
    expect(fallbackShare(25, 4, 6)).toBe(6);
  });
});

describe('load-sharing group on a simulated LAN', () => {
  it('four chargers on 40 A, two EVs wanting: each of the two gets 20 A once the group forms', () => {
    const net = new Net({ size: 4, limit: 40 });
    net.nodes[2].wants = false;
    net.nodes[3].wants = false;
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    expect(net.nodes[0].pilot).toBe(20);
    expect(net.nodes[1].pilot).toBe(20);
    expect(net.violations).toBe(0);
  });

  it('four chargers on 20 A: three charge at 6–7 A, one waits, and the turn passes to it', () => {
    const net = new Net({ size: 4, limit: 20, rotationMs: 60000 });
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    const charging = net.nodes.filter((n) => n.pilot >= 6).length;
    expect(charging).toBe(3);
    const waited = new Set<string>();
    net.run(240000, () => {
      for (const n of net.nodes) if (n.pilot === 0) waited.add(n.id);
    });
    expect(waited.size).toBe(4);
    expect(net.violations).toBe(0);
  });

  it('a member that loses the network falls back to limit / size and the others keep the rest', () => {
    const net = new Net({ size: 4, limit: 40 });
    net.nodes[2].wants = false;
    net.nodes[3].wants = false;
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    net.nodes[1].partitioned = true;
    net.run(30000);
    expect(net.nodes[1].pilot).toBe(10); // its fallback
    expect(net.nodes[0].pilot).toBe(30); // 40 − 10 for the lost member (idle members count 0)
    expect(net.violations).toBe(0);
  });

  it('a coordinator that crashes: the others re-elect, and pilots never sum above the limit', () => {
    const net = new Net({ size: 4, limit: 24 });
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    expect(net.sum()).toBe(24);
    net.crash(0); // evse-1, the lowest id, coordinates
    net.run(40000);
    expect(net.nodes.slice(1).every((n) => n.pilot >= 6)).toBe(true);
    expect(net.sum()).toBeLessThanOrEqual(24);
    net.boot(0);
    net.run(40000);
    expect(net.violations).toBe(0);
  });

  // Each case below is built to break one safeguard of the protocol (the comment names it); with that
  // safeguard removed from the code, the case sees pilots above the limit.

  it('an idle member, cut off, that then wants charge takes its fallback only after the others made room (the fallback term of exposure)', () => {
    const net = new Net({ size: 4, limit: 40 });
    net.nodes[2].wants = false;
    net.nodes[3].wants = false;
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    expect(net.nodes[0].pilot + net.nodes[1].pilot).toBe(40);
    net.nodes[2].partitioned = true;
    net.nodes[2].wants = true;
    net.run(30000);
    expect(net.nodes[2].pilot).toBe(10);
    expect(net.nodes[0].pilot + net.nodes[1].pilot).toBe(30);
    expect(net.violations).toBe(0);
  });

  it('an idle member that crashes and boots at once with an EV waiting offers nothing during its quarantine (boot quarantine)', () => {
    const net = new Net({ size: 4, limit: 40 });
    net.nodes[2].wants = false;
    net.nodes[3].wants = false;
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    net.crash(2);
    net.nodes[2].wants = true;
    net.boot(2);
    net.run(1000);
    expect(net.nodes[2].pilot).toBe(0);
    net.run(40000);
    expect(net.nodes[2].pilot).toBeGreaterThan(0);
    expect(net.violations).toBe(0);
  });

  it('a coordinator cut off from the rest: the others elect a new one only after its votes have lapsed, and wait for its grants to end (vote promise, leader wait)', () => {
    const net = new Net({ size: 4, limit: 20 });
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    expect(net.sum()).toBe(20);
    net.nodes[0].partitioned = true;
    net.run(40000);
    expect(net.nodes.slice(1).reduce((a, n) => a + n.pilot, 0)).toBeGreaterThanOrEqual(18); // three EVs at 6 A or more
    expect(net.nodes[0].pilot).toBe(0); // fallback 20 / 4 = 5 A, under the minimum
    expect(net.violations).toBe(0);
  });

  it('a network split in two halves: neither half has a majority, so neither shares, and the pilots stay at the fallback (majority)', () => {
    const net = new Net({ size: 4, limit: 20 });
    net.run(quarantineMs(GROUP_TIMING) + 10000);
    net.nodes[2].island = 1;
    net.nodes[3].island = 1;
    net.run(40000);
    expect(net.sum()).toBe(0);
    expect(net.violations).toBe(0);
  });

  it('a member whose incoming messages take 2.2 s, rotated in and out every 10 s: late grants never stretch its lease (permit counted from its own message)', () => {
    const net = new Net({ size: 4, limit: 20, rotationMs: 10000 });
    net.nodes[1].slowBy = 2200;
    net.run(quarantineMs(GROUP_TIMING) + 120000);
    expect(net.violations).toBe(0);
  });

  for (const [seed, limit] of [[7, 20], [42, 30], [1234, 40], [99, 25]]) {
    it(`storm (seed ${seed}, ${limit} A, fallback ${fallbackShare(limit, 4, 6)} A): delays up to 1.5 s, 10 % loss, partitions, crashes, reboots, EVs coming and going: no millisecond over the limit, and the group forms again once they heal`, () => {
      const net = new Net({ size: 4, limit, seed, maxDelay: 1500, loss: 0.1, lag: 50, rotationMs: 20000 });
      for (let step = 0; step < 60; step++) {
        const i = Math.floor(net.rand() * 4);
        const r = net.rand();
        const n = net.nodes[i];
        if (r < 0.15) {
          if (n.up) net.crash(i);
          else net.boot(i);
        } else if (r < 0.35) n.partitioned = !n.partitioned;
        else if (r < 0.6) n.wants = !n.wants;
        net.run(1000 + Math.floor(net.rand() * 9000));
      }
      // Then the faults heal: every member up, reachable and wanting; the group forms again.
      net.nodes.forEach((n, i) => {
        if (!n.up) net.boot(i);
        n.partitioned = false;
        n.wants = true;
      });
      net.run(40000);
      expect(net.sum()).toBe(limit); // four 32 A EVs take the whole limit between them only when the group shares
      expect(net.samples).toBeGreaterThan(300000);
      expect(net.violations).toBe(0);
      expect(net.maxSum).toBeLessThanOrEqual(limit);
    });
  }
});

describe('load sharing when a gateway freezes (no timer, no message) and its controller runs on', () => {
  // Leases end by the time elapsed (`now` at each use), never by a timer having fired: a member
  // that wakes from a stall does not take a grant that arrived meanwhile after its permit, and the
  // coordinator's counts run on its own clock. What a stall could break is the pilot: the controller
  // holds the last grant while the coordinator's count of it runs out. Its heartbeat supervision
  // ($SY 1 <share>) drops it to the share before that count ends (docs/energy.md, "A frozen gateway").
  function frozen(stall: number, heartbeat = true, times = 40): Net {
    const net = new Net({ size: 4, limit: 40, seed: 3, maxDelay: 50, lag: 50, heartbeat });
    net.nodes[2].wants = false;
    net.nodes[3].wants = false;
    net.run(quarantineMs(GROUP_TIMING) + 15000);
    expect(net.nodes.map((n) => n.pilot)).toEqual([20, 20, 0, 0]);
    for (let k = 0; k < times; k++) {
      net.stall(1, stall);
      net.run(stall + 20000);
    }
    return net;
  }

  it('a member holding a 20 A grant on 40 A, frozen 40 times for 4 s: never over the limit', () => {
    const net = frozen(4000);
    expect(net.violations).toBe(0);
    expect(net.maxSum).toBe(40);
  });

  for (const [stall, times] of [[5000, 40], [10000, 20], [60000, 5]]) {
    it(`frozen ${times} times for ${stall / 1000} s: its controller falls back to the 10 A share each time, the other rises to 30 A, never over the limit`, () => {
      const net = frozen(stall, true, times);
      expect(net.violations).toBe(0);
      expect(net.maxSum).toBe(40);
      expect(net.nodes[1].fallbacks).toBe(times);
      expect(net.nodes.map((n) => n.pilot)).toEqual([20, 20, 0, 0]);
    });
  }

  it('without the supervision: frozen for 8 s, its pilot outlives the coordinator\'s count of it', () => {
    const net = frozen(8000, false, 5);
    expect(net.violations).toBeGreaterThan(0);
    expect(net.maxSum).toBe(50);
  });

  it('the interval: 1 s, from (freshMs − publishMs)·(1 − drift) − the 10 ms control tick = 1475 ms of room at 1 % drift; a grant counts in full for (2 970 + 50 + 1 010 + 10) / 0.99 = 4 081 ms', () => {
    expect(heartbeatSeconds(GROUP_TIMING)).toBe(1);
    expect(heartbeatSeconds({ ...GROUP_TIMING, freshMs: 3600 })).toBe(3);
    expect(grantCountMs(GROUP_TIMING)).toBe(4081);
  });

  it('a member cut off and frozen at the end of its permit while the coordinator stalls 2.0–2.2 s: its controller falls back before the coordinator counts it at its share', () => {
    // The coordinator's count of a grant must not depend on the coordinator's own punctuality: with
    // a 3 s count, 6 of these 24 runs reached 50 A on 40 A for 30 ms (and 6 of 375 in a wider sweep).
    let runs = 0;
    let over = 0;
    for (let delta = 1650; delta <= 1825; delta += 25) {
      for (let stall = 2000; stall <= 2200; stall += 100) {
        const net = new Net({ size: 4, limit: 40, seed: 3, maxDelay: 50, lag: 50 });
        net.nodes[2].wants = false;
        net.nodes[3].wants = false;
        net.run(quarantineMs(GROUP_TIMING) + 15000);
        net.nodes[1].partitioned = true;
        net.stall(0, stall);
        net.run(delta);
        net.stall(1, 20000);
        net.run(8000);
        runs++;
        over += net.violations;
      }
    }
    expect(runs).toBe(24);
    expect(over).toBe(0);
  });

  for (const [seed, limit] of [[5, 30], [11, 20], [13, 40]]) {
    it(`storm (seed ${seed}, ${limit} A) with every member's gateway freezing for 0.5–30 s at random, plus delays, loss, partitions, crashes: no millisecond over the limit`, () => {
      const net = new Net({ size: 4, limit, seed, maxDelay: 1000, loss: 0.05, lag: 50, rotationMs: 20000 });
      let freezes = 0;
      for (let step = 0; step < 40; step++) {
        const i = Math.floor(net.rand() * 4);
        const r = net.rand();
        const n = net.nodes[i];
        if (r < 0.05) {
          if (n.up) net.crash(i);
          else net.boot(i);
        } else if (r < 0.15) n.partitioned = !n.partitioned;
        else if (r < 0.3) n.wants = !n.wants;
        else if (r < 0.8) {
          net.stall(i, 500 + Math.floor(net.rand() * 29500));
          freezes++;
        }
        net.run(1000 + Math.floor(net.rand() * 8000));
      }
      expect(freezes).toBeGreaterThan(10);
      expect(net.nodes.reduce((a, n) => a + n.fallbacks, 0)).toBeGreaterThan(5);
      expect(net.samples).toBeGreaterThan(150000);
      expect(net.violations).toBe(0);
      expect(net.maxSum).toBeLessThanOrEqual(limit);
    });
  }

  for (const seed of [7, 42]) {
    it(`storm (seed ${seed}, 30 A) with every member's gateway stalling up to 2 s at random, four times in each 1–9 s step: no millisecond over the limit`, () => {
      const net = new Net({ size: 4, limit: 30, seed, maxDelay: 1500, loss: 0.1, lag: 50, rotationMs: 20000 });
      for (let step = 0; step < 60; step++) {
        const i = Math.floor(net.rand() * 4);
        const r = net.rand();
        const n = net.nodes[i];
        if (r < 0.1) {
          if (n.up) net.crash(i);
          else net.boot(i);
        } else if (r < 0.25) n.partitioned = !n.partitioned;
        else if (r < 0.4) n.wants = !n.wants;
        for (let k = 0; k < 4; k++) {
          net.run(250 + Math.floor(net.rand() * 2000));
          net.stall(Math.floor(net.rand() * 4), Math.floor(net.rand() * 2000));
        }
      }
      expect(net.samples).toBeGreaterThan(200000);
      expect(net.violations).toBe(0);
      expect(net.maxSum).toBeLessThanOrEqual(30);
    });
  }
});

describe('load-sharing rules, one at a time', () => {
  const t = GROUP_TIMING;
  const q = quarantineMs(t);
  const c4 = grantCountMs(t);
  function coordinator() {
    return new Coordinator({ timing: t, id: 'a', boot: 'A', bootAt: 0, limit: () => 40, size: () => 4, min: () => 6, fallback: () => 10, rotationMs: () => 60000 });
  }

  it('a lease: a grant answering message q permits until send(q) + 3 s × 0.99 − 0.5 s, then restricts to min(g, fallback) for 8 s × 1.01 after receipt', () => {
    const lease = new Lease({ timing: t, bootAt: -q, fallback: () => 10 });
    lease.sent(7, 1000);
    expect(lease.grant(20, 7, 1400)).toBe(true);
    expect(lease.ceiling(1000 + 2970 - 500 - 1)).toBe(20);
    expect(lease.ceiling(1000 + 2970 - 500)).toBe(10);
    lease.sent(8, 5000);
    expect(lease.grant(0, 8, 5100)).toBe(true);
    expect(lease.ceiling(5100 + 8080 - 1)).toBe(0);
    expect(lease.ceiling(5100 + 8080)).toBe(10);
  });

  it('a lease refuses a grant that arrives after the permit would have ended, and one for a message it never sent', () => {
    const lease = new Lease({ timing: t, bootAt: -q, fallback: () => 10 });
    lease.sent(1, 0);
    expect(lease.grant(30, 1, 2470)).toBe(false);
    expect(lease.grant(30, 2, 100)).toBe(false);
    expect(lease.ceiling(2470)).toBe(10);
  });

  it('boot quarantine: no fallback share for permit + restrict × 1.01 + margin after boot', () => {
    const lease = new Lease({ timing: t, bootAt: 0, fallback: () => 10 });
    expect(q).toBe(3000 + 8080 + 500);
    expect(lease.ceiling(q - 1)).toBe(0);
    expect(lease.ceiling(q)).toBe(10);
  });

  it('exposure: a member counts at its fallback unless it echoed a grant recent enough to hold it below until the new grants end', () => {
    const c = coordinator();
    const known = new Map<string, string | undefined>([['a', 'A'], ['b', 'B'], ['c', 'C']]);
    c.observe('b', 'B', 'a', undefined);
    c.observe('c', 'C', 'a', undefined);
    // Not yet echoed: fallback.
    expect(c.exposure('b', 'B', 0)).toBe(10);
    // Three votes of four: majority; grants only after grantCountMs of leadership and the coordinator's own quarantine.
    const start = q;
    c.observe('b', 'B', 'a', undefined);
    let g = c.grants(start, 1, true, known, []);
    expect(g).toBeUndefined(); // no votes echoed yet
    // b and c echo message 1 and vote for us.
    c.observe('b', 'B', 'a', { boot: 'A', seq: 1 });
    c.observe('c', 'C', 'a', { boot: 'A', seq: 1 });
    g = c.grants(start + 100, 2, true, known, [{ id: 'b', boot: 'B', want: 0, seq: 5 }]);
    expect(g).toBeUndefined(); // leader wait: grantCountMs after gaining the majority
    const at = start + 100 + c4;
    c.observe('b', 'B', 'a', { boot: 'A', seq: 2 });
    c.observe('c', 'C', 'a', { boot: 'A', seq: 2 });
    g = c.grants(at, 3, true, known, [{ id: 'b', boot: 'B', want: 0, seq: 6 }]);
    expect(g).toEqual({ b: { g: 0, b: 'B', q: 6 } });
    // b echoes the grant: exposure drops to the grant (0), until its echo is too old to hold it below.
    c.observe('b', 'B', 'a', { boot: 'A', seq: 3 });
    expect(c.exposure('b', 'B', at + 1)).toBe(0);
    const lastSafe = at + t.restrictMs - c4 - t.marginMs - 1;
    expect(c.exposure('b', 'B', lastSafe)).toBe(0);
    expect(c.exposure('b', 'B', lastSafe + 1)).toBe(10);
    // A new boot of b: what it echoed in its past life holds nothing.
    expect(c.exposure('b', 'B2', at + 1)).toBe(10);
  });

  it('exposure: a grant counts in full for grantCountMs (4 081 ms) after it was sent, then as min(g, fallback) for restrictMs × 1.01 more', () => {
    const c = coordinator();
    const known = new Map<string, string | undefined>([['a', 'A'], ['b', 'B'], ['c', 'C']]);
    c.observe('b', 'B', 'a', undefined);
    c.grants(q, 1, true, known, []);
    c.observe('b', 'B', 'a', { boot: 'A', seq: 1 });
    c.observe('c', 'C', 'a', { boot: 'A', seq: 1 });
    c.grants(q + 1, 2, true, known, []);
    const at = q + 1 + c4;
    c.observe('b', 'B', 'a', { boot: 'A', seq: 2 });
    c.observe('c', 'C', 'a', { boot: 'A', seq: 2 });
    const everyone = (want: number, seq: number) => [
      { id: 'a', boot: 'A', want: 0, seq },
      { id: 'b', boot: 'B', want, seq },
      { id: 'c', boot: 'C', want: 0, seq },
    ];
    const echo = (seq: number) => ['a', 'b', 'c'].forEach((id) => c.observe(id, id.toUpperCase(), 'a', { boot: 'A', seq }));
    // Everyone still counts at the fallback: b may have only what it has (10), however much it wants.
    let g = c.grants(at, 3, true, known, everyone(32, 9));
    expect(g).toEqual({ a: { g: 0, b: 'A', q: 9 }, b: { g: 10, b: 'B', q: 9 }, c: { g: 0, b: 'C', q: 9 } });
    echo(3);
    // a and c now sit at 0: b gets 40 − 10 (the member never heard of) = 30.
    g = c.grants(at + 500, 4, true, known, everyone(32, 10));
    expect(g?.b.g).toBe(30);
    echo(4);
    expect(c.exposure('b', 'B', at + 500 + c4 - 1)).toBe(30);
    expect(c.exposure('b', 'B', at + 500 + c4)).toBe(10);
  });
});
