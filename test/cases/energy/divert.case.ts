// Solar divert against OpenEVSE's numbers (reference/openevse.md §3.9):
// attack 20 s, decay 600 s, PV ratio 1.1, minimum charge time 600 s, 0.5 A
// hysteresis over a 6 A trigger, and our stale-input failsafe (120 s).
import { describe, expect, it } from '../harness';
import { Divert, DIVERT_DEFAULTS, DivertMode, DivertType, type DivertClaim, type DivertSettings } from '../../../modules/energy/divert';
import { VirtualClock } from '../../../sim/clock';

function rig(settings: Partial<DivertSettings> = {}) {
  const clock = new VirtualClock();
  const ev = { amps: 0, charging: false };
  const claims: DivertClaim[] = [];
  const s: DivertSettings = { ...DIVERT_DEFAULTS, ...settings };
  const divert = new Divert({
    now: () => clock.now(),
    settings: () => s,
    evse: { voltage: () => 240, amps: () => ev.amps, minCurrent: () => 6, charging: () => ev.charging },
    onClaim: (c) => {
      claims.push(c);
      // The EV follows the claim at once, as a car that is plugged in and wants charge.
      const on = c?.properties.state === 'active';
      ev.charging = on;
      ev.amps = on ? Math.max(6, c!.properties.charge_current ?? 6) : 0;
      divert.evseChanged();
    },
  });
  divert.setMode(DivertMode.Eco);
  /** Feeds `watts` once a second for `seconds` s (the first at the current time). */
  const feed = (watts: number, seconds: number, kind: 'solar' | 'grid' = 'solar') => {
    for (let i = 0; i < seconds; i++) {
      if (kind === 'solar') divert.solar(watts);
      else divert.gridIe(typeof watts === 'number' ? watts + ev.amps * 240 : watts);
      divert.check();
      clock.advance(1000);
    }
  };
  return { clock, ev, claims, divert, feed, s };
}

describe('divert', () => {
  it('eco mode starts paused at priority 10 and normal mode releases the claim', () => {
    const r = rig();
    expect(r.claims[0]).toEqual({ priority: 10, properties: { state: 'disabled' } });
    r.divert.setMode(DivertMode.Normal);
    expect(r.claims[r.claims.length - 1]).toBeUndefined();
  });

  it('attack: a step to 10 A of solar reaches 63.2 % of it after 20 s', () => {
    const r = rig();
    r.feed(2400, 21); // samples at 0 … 20 s; the first only starts the clock
    // 10 A × (1 − e^(−20/20))
    expect(r.divert.smoothed).toBeCloseTo(6.3212, 3);
  });

  it('starts at the first sample where smoothed ≥ 6 A × min(1, 1.1) + 0.5 A: 21 s after a 10 A step', () => {
    const r = rig();
    r.feed(2400, 21); // 0 … 20 s: smoothed 6.32 A < 6.5 A
    expect(r.divert.active).toBe(false);
    r.feed(2400, 1); // 21 s: 10 × (1 − e^(−21/20)) = 6.50 A
    expect(r.divert.active).toBe(true);
    expect(r.divert.claim).toEqual({ priority: 50, properties: { state: 'active', charge_current: 10 } });
  });

  it('hysteresis: a surplus that settles at 6.3 A (between 6 and 6.5) never starts a charge', () => {
    const r = rig();
    r.feed(6.3 * 240, 3600);
    expect(r.divert.smoothed).toBeCloseTo(6.3, 3);
    expect(r.divert.active).toBe(false);
  });

  it('decay: after the sun goes, a charge stops when smoothed falls to 6 A: 10 × e^(−t/600) ≤ 6 at t = 306.5 s', () => {
    const r = rig({ minChargeS: 0 });
    r.feed(2400, 3600); // settled at 10 A
    expect(r.divert.active).toBe(true);
    const t0 = r.clock.now() - 1000; // the last 10 A sample
    let stoppedAt = -1;
    for (let i = 0; i < 400 && stoppedAt < 0; i++) {
      r.feed(0, 1);
      if (!r.divert.active) stoppedAt = r.clock.now() - 1000 - t0;
    }
    // The first 0 W sample comes 1 s after the last 10 A one; 307 s after it, 10 × e^(−307/600) = 5.995 A.
    expect(stoppedAt).toBe(307000);
  });

  it('minimum charge time: with a 20 s decay the surplus is gone in a minute, but the charge runs 600 s', () => {
    const r = rig({ decayS: 20 });
    r.feed(2400, 60);
    expect(r.ev.charging).toBe(true);
    const started = r.claims.findIndex((c) => c?.properties.state === 'active');
    expect(started).toBeGreaterThan(0);
    const startAt = 21000; // from the attack case above
    r.clock.advance(0);
    let stoppedAt = -1;
    for (let i = 0; i < 700 && stoppedAt < 0; i++) {
      r.feed(0, 1);
      if (!r.divert.active) stoppedAt = r.clock.now() - 1000;
    }
    expect(stoppedAt).toBe(startAt + 600000);
  });

  it('charge_rate is floor(available), +1 when the fraction exceeds min(1, PV ratio)', () => {
    const a = rig();
    a.feed(7.95 * 240, 200);
    expect(a.divert.chargeRate).toBe(7); // 0.95 is not > min(1, 1.1)
    const b = rig({ pvRatio: 0.5 });
    b.feed(7.95 * 240, 200);
    expect(b.divert.chargeRate).toBe(8); // 0.95 > 0.5
    expect(b.divert.trigger).toBe(3); // 6 A × 0.5
  });

  it('grid type: exporting 2400 W with the EV off leaves 10 A − 1000 W × 0.1 / 240 V of reserve', () => {
    const r = rig({ type: DivertType.Grid });
    r.divert.gridIe(-2400);
    expect(r.divert.available).toBeCloseTo(10 - 100 / 240, 6);
    r.divert.gridIe(500); // importing
    expect(r.divert.available).toBe(0);
  });

  it('grid type: the EV is part of the grid reading, so a charge at 10 A with 0 W exported still sees 10 A available', () => {
    const r = rig({ type: DivertType.Grid, pvRatio: 1 });
    r.feed(-2400, 120, 'grid'); // the feeder adds the EV's own draw to the meter
    expect(r.ev.charging).toBe(true);
    expect(r.divert.available).toBeCloseTo(10, 6);
  });

  it('stale input: no solar value for more than 120 s stops divert charging at once, inside the minimum charge time', () => {
    const r = rig();
    r.feed(2400, 60);
    expect(r.divert.active).toBe(true);
    const last = r.clock.now() - 1000;
    for (let i = 0; i < 200 && r.divert.active; i++) {
      r.clock.advance(1000);
      r.divert.check();
    }
    expect(r.divert.active).toBe(false);
    expect(r.clock.now() - last).toBe(121000);
    expect(r.divert.stale).toBe(true);
    expect(r.divert.smoothed).toBe(0);
    expect(r.divert.claim).toEqual({ priority: 10, properties: { state: 'disabled' } });
    // Data again: smoothing starts from zero, the charge waits for the attack.
    r.feed(2400, 21);
    expect(r.divert.active).toBe(false);
    r.feed(2400, 1);
    expect(r.divert.active).toBe(true);
  });

  it('in normal mode inputs are recorded but nothing is claimed', () => {
    const r = rig();
    r.divert.setMode(DivertMode.Normal);
    const n = r.claims.length;
    r.feed(5000, 100);
    expect(r.claims.length).toBe(n);
    expect(r.divert.solarWatts).toBe(5000);
  });
});
