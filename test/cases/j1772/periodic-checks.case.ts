// periodic-checks.ts writes the controller's five periodic checks out in one
// function (cheaper on XS than a list of check objects). This holds it to the
// list it replaced, FaultSupervisor over GfciLevelCheck, GroundCheck,
// StuckRelayCheck, OverCurrentCheck and OverTemperatureCheck in that order:
// the same fault (or none) on every call, over random sequences of senses
// near every threshold, `$GE` flags switching checks off and on half-way
// through a timing, and resets before a relay close.
import { describe, expect, it } from '../harness';
import { EvseState, Feature } from '../../../modules/j1772/evse-state';
import { FaultSupervisor, RetryPolicy, type SafetyCheck, type Sense } from '../../../modules/j1772/faults';
import { GfciLevelCheck } from '../../../modules/j1772/gfci';
import { GroundCheck } from '../../../modules/j1772/ground';
import { OverCurrentCheck, type OverCurrentOptions } from '../../../modules/j1772/overcurrent';
import { PeriodicChecks } from '../../../modules/j1772/periodic-checks';
import { StuckRelayCheck } from '../../../modules/j1772/stuck-relay';
import { OverTemperatureCheck } from '../../../modules/j1772/temperature';
import { mulberry32 } from '../../../sim/random';


function definition(overCurrent: OverCurrentOptions | false): FaultSupervisor {
  const checks: SafetyCheck[] = [new GfciLevelCheck(), new GroundCheck(), new StuckRelayCheck()];
  if (overCurrent) checks.push(new OverCurrentCheck(overCurrent));
  checks.push(new OverTemperatureCheck());
  return new FaultSupervisor(checks, new RetryPolicy());
}

const FLAG_BITS = [Feature.GroundCheckDisabled, Feature.StuckRelayCheckDisabled, Feature.OverCurrentCheckDisabled, Feature.TemperatureCheckDisabled, Feature.DiodeCheckDisabled];

function runSequence(seed: number, overCurrent: OverCurrentOptions | false, steps: number): { faults: Record<number, number> } {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const a = definition(overCurrent);
  const b = new FaultSupervisor(new PeriodicChecks({ overCurrent }), new RetryPolicy());
  const s: Sense = { now: 0, relayClosed: false, relayChangedAt: 0, relayOpening: false, liveLines: 0, charging: false, milliamps: 0, offeredAmps: 32, gfci: false, thermal: 0, selfTesting: false, pilotMode: 'pwm' as const };
  // Offsets from the offer, mA: at the threshold and at its hysteresis edge (±1 mA below), and well away.
  const margin = overCurrent ? overCurrent.margin * 1000 : 5000;
  const hysteresis = overCurrent ? (overCurrent.hysteresis ?? 1) * 1000 : 1000;
  const edges = [-2000, 0, margin - hysteresis, margin - hysteresis, margin, margin, margin, margin + 3000];
  let flags = 0;
  const faults: Record<number, number> = {};
  for (let i = 0; i < steps; i++) {
    // Time moves by a tick, sometimes by a long stretch, so every timer both runs out and is cut short.
    s.now += r() < 0.9 ? 10 : Math.floor(r() * 3000);
    if (r() < 0.03) {
      s.relayClosed = !s.relayClosed;
      s.relayChangedAt = s.now - (r() < 0.5 ? 0 : Math.floor(r() * 2000));
    }
    if (r() < 0.03) s.relayOpening = !s.relayOpening;
    if (r() < 0.05) s.liveLines = pick([0, 0, 1, 2]);
    if (r() < 0.05) s.charging = !s.charging;
    if (r() < 0.02) s.gfci = !s.gfci;
    if (r() < 0.02) s.thermal = pick([0, 1, 2, 3]);
    if (r() < 0.05) s.offeredAmps = pick([6, 16, 32, 40]);
    // Currents around offer + margin and offer + margin − hysteresis, to the milliamp.
    if (r() < 0.04) s.milliamps = Math.max(0, s.offeredAmps * 1000 + pick(edges) + Math.floor(r() * 3) - 1);
    if (r() < 0.02) flags ^= pick(FLAG_BITS);
    if (r() < 0.01) {
      a.resetChecks();
      b.resetChecks();
    }
    const fa = a.check(s, flags);
    const fb = b.check(s, flags);
    if (fa !== fb) throw new Error(`seed ${seed}, step ${i}: the list says ${fa}, one pass says ${fb} (${JSON.stringify(s)}, flags ${flags})`);
    faults[fa] = (faults[fa] ?? 0) + 1;
  }
  return { faults };
}

describe('periodic checks in one pass (periodic-checks.ts)', () => {
  it('raise the same fault as the list of check objects on every call, over 200 random sequences', () => {
    const seen: Record<number, number> = {};
    for (let seed = 1; seed <= 200; seed++) {
      const oc: OverCurrentOptions | false =
        seed % 10 === 0 ? false : seed % 3 === 0 ? { margin: 2.5, ms: 300, hysteresis: 0.5 } : seed % 3 === 1 ? { margin: 5, ms: 500 } : { margin: 5, ms: 10_000 };
      const { faults } = runSequence(seed, oc, 600);
      for (const k of Object.keys(faults)) seen[Number(k)] = (seen[Number(k)] ?? 0) + faults[Number(k)];
    }
    // The sequences reach every fault the checks can raise, and stretches with none.
    for (const f of [0, EvseState.GfciFault, EvseState.NoGround, EvseState.StuckRelay, EvseState.OverCurrent, EvseState.OverTemperature]) {
      expect(seen[f] ?? 0).toBeGreaterThan(0);
    }
  });

  it('a check switched off half-way through its timing starts afresh when switched on again', () => {
    const b = new FaultSupervisor(new PeriodicChecks(), new RetryPolicy());
    const s: Sense = { now: 0, relayClosed: true, relayChangedAt: 0, relayOpening: false, liveLines: 2, charging: true, milliamps: 40_000, offeredAmps: 32, gfci: false, thermal: 0, selfTesting: false, pilotMode: 'pwm' as const };
    for (; s.now < 6000; s.now += 100) expect(b.check(s, 0)).toBe(0);
    s.now += 100;
    expect(b.check(s, Feature.OverCurrentCheckDisabled)).toBe(0);
    // Back on: another full 10 s of excess is needed.
    for (; s.now < 15_900; s.now += 100) expect(b.check(s, 0)).toBe(0);
    s.now = 16_200;
    expect(b.check(s, 0)).toBe(EvseState.OverCurrent);
  });
});
