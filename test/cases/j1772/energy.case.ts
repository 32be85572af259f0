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

// EnergyMeter sums the steps at one voltage and current and multiplies once
// (energy.ts). This holds it to the step-by-step definition: the same session
// and total on every read, whatever the steps, the reads between them and the
// session boundaries.
describe('energy meter: steps summed at one current count the same as step by step', () => {
  class StepByStep {
    sessionWs = 0;
    remainder = 0;
    total: number;
    open = false;
    constructor(totalWs: number) {
      this.total = totalWs;
    }
    add(mV: number, mA: number, ms: number): void {
      const v = mV > 0 ? Math.round(mV) : 0;
      const i = mA > 0 ? Math.round(mA) : 0;
      let t = ms > 0 ? Math.round(ms) : 0;
      while (t > 0) {
        const step = Math.min(t, 200_000);
        t -= step;
        const nj = v * i * step + this.remainder;
        const ws = Math.floor(nj / 1e9);
        this.remainder = nj - ws * 1e9;
        this.sessionWs += ws;
      }
    }
    start(): void {
      this.end();
      this.sessionWs = 0;
      this.remainder = 0;
      this.open = true;
    }
    end(): void {
      if (!this.open) return;
      this.total += this.sessionWs;
      this.open = false;
    }
    get totalWs(): number {
      return this.total + (this.open ? this.sessionWs : 0);
    }
  }

  it('over 300 random sequences of steps, reads and session boundaries', () => {
    let seed = 12345;
    const r = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let reads = 0;
    for (let run = 0; run < 300; run++) {
      const a = new StepByStep(run * 3600);
      const b = new EnergyMeter({ totalWs: run * 3600 });
      let mV = 240_000;
      let mA = 32_000;
      for (let k = 0; k < 400; k++) {
        const x = r();
        if (x < 0.1) mA = r() < 0.1 ? -5 : Math.floor(r() * 80_000) + (r() < 0.2 ? 0.5 : 0);
        else if (x < 0.13) mV = r() < 0.1 ? 0 : 100_000 + Math.floor(r() * 200_000);
        else if (x < 0.15) {
          a.start();
          b.startSession();
        } else if (x < 0.17) {
          a.end();
          b.endSession();
        } else if (x < 0.18) {
          b.setTotalWh(7);
          a.total = 7 * 3600;
        }
        const ms = r() < 0.9 ? 10 : r() < 0.5 ? 0.4 + Math.floor(r() * 3) : Math.floor(r() * 400_000);
        a.add(mV, mA, ms);
        b.add(mV, mA, ms);
        if (r() < 0.2) {
          reads++;
          expect(b.sessionWs).toBe(a.sessionWs);
          expect(b.totalWs).toBe(a.totalWs);
          expect(b.totalWh).toBe(Math.floor(a.total / 3600));
        }
      }
      expect(b.sessionWs).toBe(a.sessionWs);
      expect(b.totalWs).toBe(a.totalWs);
    }
    expect(reads).toBeGreaterThan(1000);
  });
});
