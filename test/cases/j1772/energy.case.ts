import { describe, it, expect } from '../harness';
import { EnergyMeter } from '../../../modules/j1772/energy';

describe('energy meter', () => {
  it('one hour at 240 V and 32 A in 250 ms steps is exactly 7680 Wh', () => {
    const m = new EnergyMeter();
    m.startSession();
    for (let i = 0; i < 4 * 3600; i++) m.add(240_000, 32_000, 250);
    expect(m.sessionWs).toBe(240 * 32 * 3600);
  });

  it('keeps the sub-watt-second remainder that OpenEVSE drops every step', () => {
    // 120 V × 10 mA × 1 ms = 1.2 mWs per step: 10 000 steps are 12 Ws, not 0.
    const m = new EnergyMeter();
    m.startSession();
    for (let i = 0; i < 10_000; i++) m.add(120_000, 10, 1);
    expect(m.sessionWs).toBe(12);
  });

  it('does not overflow at 80 A, 300 V over a long step', () => {
    const m = new EnergyMeter();
    m.startSession();
    m.add(300_000, 80_000, 3_600_000);
    expect(m.sessionWs).toBe(300 * 80 * 3600);
  });

  it('three phases triple the energy', () => {
    const m = new EnergyMeter({ phases: 3 });
    m.startSession();
    m.add(230_000, 16_000, 1000);
    expect(m.sessionWs).toBe(3 * 230 * 16);
  });

  it('adds a session to the Wh total when it ends, and only then', () => {
    const m = new EnergyMeter({ totalWs: 7200 });
    m.startSession();
    m.add(240_000, 10_000, 3_600_000); // 2.4 kWh
    expect(m.totalWh).toBe(2);
    m.endSession();
    expect(m.totalWh).toBe(2402);
    expect(m.sessionWs).toBe(2400 * 3600);
    m.startSession();
    expect(m.sessionWs).toBe(0);
    expect(m.totalWh).toBe(2402);
  });

  it('$SK sets the total in Wh', () => {
    const m = new EnergyMeter({ totalWs: 99 * 3600 });
    m.setTotalWh(0);
    expect(m.totalWh).toBe(0);
  });
});
