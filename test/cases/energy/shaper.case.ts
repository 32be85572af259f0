// The current shaper against OpenEVSE's rules (reference/openevse.md §3.10):
// the cap from max_pwr, live power and the EV's own current; pause below 6 A;
// resume only after 300 s and 0.5 A above the minimum; the stale-data
// failsafe after 120 s; and it caps, never raises.
import { describe, expect, it } from '../harness';
import { Shaper, SHAPER_DEFAULTS, type ShaperClaim, type ShaperSettings } from '../../../modules/energy/shaper';
import { VirtualClock } from '../../../sim/clock';

function rig(settings: Partial<ShaperSettings> = {}) {
  const clock = new VirtualClock();
  const ev = { amps: 0 };
  const claims: ShaperClaim[] = [];
  const s: ShaperSettings = { ...SHAPER_DEFAULTS, maxPower: 5000, ...settings };
  const shaper = new Shaper({
    now: () => clock.now(),
    settings: () => s,
    evse: { voltage: () => 240, amps: () => ev.amps, minCurrent: () => 6, solarBonus: () => 0 },
    onClaim: (c) => claims.push(c),
  });
  return { clock, ev, claims, shaper, s };
}

describe('current shaper', () => {
  it('caps at (max_pwr − live_pwr) / V + I_ev, rounded down', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    r.shaper.livePowerIn(3000);
    expect(r.shaper.maxCurrent).toBeCloseTo(2000 / 240, 9);
    expect(r.shaper.claim).toEqual({ priority: 5000, properties: { max_current: 8 } });
    r.ev.amps = 10;
    r.shaper.livePowerIn(4000); // the house includes the EV's 10 A
    expect(r.shaper.claim).toEqual({ priority: 5000, properties: { max_current: 14 } });
  });

  it('with no data yet, or none for more than 120 s, pauses at priority 1100 (the failsafe)', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    expect(r.shaper.claim).toEqual({ priority: 1100, properties: { state: 'disabled' } });
    r.shaper.livePowerIn(1000);
    expect(r.shaper.claim?.properties.state).toBeUndefined();
    r.clock.advance(120000);
    r.shaper.evaluate();
    expect(r.shaper.claim?.properties.state).toBeUndefined(); // exactly 120 s: still fresh
    r.clock.advance(1);
    r.shaper.evaluate();
    expect(r.shaper.claim).toEqual({ priority: 1100, properties: { state: 'disabled' } });
    expect(r.shaper.updated).toBe(false);
  });

  it('below 6 A it pauses; it resumes no sooner than 300 s later, even if the load went at once', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    r.shaper.livePowerIn(5000); // cap 0 A
    expect(r.shaper.claim).toEqual({ priority: 5000, properties: { state: 'disabled', max_current: 0 } });
    let resumedAt = -1;
    for (let t = 1; t <= 400 && resumedAt < 0; t++) {
      r.clock.advance(1000);
      r.shaper.livePowerIn(1000);
      if (r.shaper.claim?.properties.state === undefined) resumedAt = t;
    }
    expect(resumedAt).toBe(300);
    expect(r.shaper.claim).toEqual({ priority: 5000, properties: { max_current: 16 } });
  });

  it('while paused a falling load is smoothed (60 s): the cap climbs by 1 − e^(−t/60)', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    r.shaper.livePowerIn(5000);
    r.clock.advance(60000);
    r.shaper.livePowerIn(1000); // one sample 60 s later
    expect(r.shaper.smoothedLivePower).toBeCloseTo(1000 + 4000 * Math.exp(-1), 6);
  });

  it('resume needs 0.5 A of hysteresis above the minimum', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    r.shaper.livePowerIn(5000);
    r.clock.advance(400000);
    r.shaper.livePowerIn(5000 - 6.4 * 240); // 6.4 A: above 6, below 6.5
    for (let t = 0; t < 100; t++) {
      r.clock.advance(1000);
      r.shaper.livePowerIn(5000 - 6.4 * 240);
    }
    expect(r.shaper.paused).toBe(true);
    for (let t = 0; t < 600; t++) {
      r.clock.advance(1000);
      r.shaper.livePowerIn(5000 - 6.6 * 240);
    }
    expect(r.shaper.paused).toBe(false);
  });

  it('never raises: under a random storm its claim never holds charge_current or "active"', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const r = rig();
    r.shaper.setEnabled(true);
    for (let i = 0; i < 5000; i++) {
      r.clock.advance(Math.floor(rand() * 200000));
      r.ev.amps = Math.floor(rand() * 33);
      if (rand() < 0.8) r.shaper.livePowerIn(Math.floor(rand() * 12000) - 2000);
      else r.shaper.evaluate();
      if (rand() < 0.01) r.shaper.setEnabled(!r.shaper.enabled);
      const c = r.shaper.claim;
      if (!c) continue;
      expect(c.properties.charge_current).toBeUndefined();
      expect(c.properties.state === undefined || c.properties.state === 'disabled').toBe(true);
    }
    expect(r.claims.length).toBeGreaterThan(100);
  });

  it('disabling releases the claim', () => {
    const r = rig();
    r.shaper.setEnabled(true);
    r.shaper.livePowerIn(1000);
    r.shaper.setEnabled(false);
    expect(r.claims[r.claims.length - 1]).toBeUndefined();
  });
});
