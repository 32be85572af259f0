// Load sharing among chargers on one circuit: fair shares, the 6 A minimum
// with rotation, and the invariant that the pilots never add up to more than
// the circuit limit, through boots, crashes, partitions, delays and loss,
// checked every virtual millisecond.
import { describe, expect, it } from '../harness';
import { divide } from '../../../modules/energy/group/share';
import { fallbackShare, quarantineMs, GROUP_TIMING } from '../../../modules/energy/group/timing';
import { Net } from './group-net';

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
