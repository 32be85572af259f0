// The lifetime energy across stops and power losses: a clean stop keeps the
// running session's energy; a power loss loses at most what accrued since the
// last periodic save; a session is never counted twice.

import { describe, it, expect } from '../harness';
import type { Storage } from '../../../modules/ports';
import { ChargeSession } from '../../../modules/j1772/session';
import { SettingsStore } from '../../../modules/j1772/settings';
import { MemoryStorage } from '../../../sim/memory-storage';
import { bootedStation, plugAndCharge } from './station-fixture';

/** 240 V × 32 A (the sim's default EV on a 32 A offer), W. */
const WATTS = 240 * 32;
/** Wh charged in `minutes` at WATTS. */
const wh = (minutes: number) => (WATTS * minutes) / 60;

/** `$GU` after a power-on on `storage`: [session Ws, total Wh]. */
function totalAfterPowerOn(storage: MemoryStorage): number {
  const b = bootedStation({}, new MemoryStorage(storage.snapshot()));
  return Number(b.rapi('GU').params[1]);
}

/** Storage that counts writes, as flash would see them. */
class CountingStorage implements Storage {
  writes = 0;
  readonly #inner = new MemoryStorage();
  read(key: string): string | undefined {
    return this.#inner.read(key);
  }
  write(key: string, value: string): void {
    this.writes++;
    this.#inner.write(key, value);
  }
  remove(key: string): void {
    this.#inner.remove(key);
  }
}

describe('session energy: stop and power loss', () => {
  it('a clean stop mid-session adds the running session to the saved total', () => {
    const storage = new MemoryStorage();
    const a = bootedStation({ controller: { energySaveWh: 0 } }, storage);
    plugAndCharge(a);
    a.clock.advance(10 * 60_000);
    a.station.stop();
    // 7.68 kW for 10 min = 1280 Wh; the CT reads within 1 % and the first reading takes a moment.
    const total = totalAfterPowerOn(storage);
    expect(total).toBeGreaterThan(wh(10) * 0.98);
    expect(total).toBeLessThanOrEqual(wh(10) * 1.01);
  });

  it('without a stop and without periodic saves, a power loss loses the running session (OpenEVSE behaviour)', () => {
    const storage = new MemoryStorage();
    const a = bootedStation({ controller: { energySaveWh: 0 } }, storage);
    plugAndCharge(a);
    a.clock.advance(10 * 60_000);
    // Power is cut: no stop(), the storage is what it is.
    expect(totalAfterPowerOn(storage)).toBe(0);
  });

  it('by default a power loss while charging loses at most one minute (or 10 Wh) of the session (issue 14, 8)', () => {
    const storage = new MemoryStorage();
    const a = bootedStation({}, storage);
    plugAndCharge(a);
    a.clock.advance(20 * 60_000); // 2560 Wh at 7.68 kW
    const charged = a.station.controller.energy.sessionWs / 3600;
    expect(charged).toBeGreaterThan(wh(20) * 0.98);
    // one minute at 7.68 kW is 128 Wh: at most that is not yet in storage
    const total = totalAfterPowerOn(storage);
    expect(charged - total).toBeGreaterThanOrEqual(0);
    expect(charged - total).toBeLessThanOrEqual(wh(1));
  });

  it('a session is counted once across a stop, a restart and the unplug that ends it', () => {
    const storage = new MemoryStorage();
    const a = bootedStation({ controller: { energySaveWh: 0 } }, storage);
    plugAndCharge(a);
    a.clock.advance(10 * 60_000);
    a.station.stop();
    a.station.start();
    a.clock.advanceUntil(() => a.station.mains.energized, 10_000);
    a.clock.advance(10 * 60_000);
    a.station.ev.unplug();
    a.clock.advance(1000);
    const total = Number(a.rapi('GU').params[1]);
    expect(total).toBeGreaterThan(wh(20) * 0.98);
    expect(total).toBeLessThanOrEqual(wh(20) * 1.01);
    a.station.stop();
    expect(totalAfterPowerOn(storage)).toBe(total);
  });

  it('$FR while charging keeps the energy charged before it', () => {
    const a = bootedStation({ controller: { energySaveWh: 0 } });
    plugAndCharge(a);
    a.clock.advance(10 * 60_000);
    a.rapi('FR');
    a.station.ev.requestCharge(false); // no second charge after the restart
    a.clock.advance(10_000);
    a.station.ev.unplug();
    a.clock.advance(1000);
    const total = Number(a.rapi('GU').params[1]);
    expect(total).toBeGreaterThan(wh(10) * 0.98);
    expect(total).toBeLessThanOrEqual(wh(10) * 1.01);
  });
});

describe('session energy: flash wear', () => {
  it('one hour at 7.68 kW writes the record 60 times (once a minute), not once per tick', () => {
    const storage = new CountingStorage();
    const session = new ChargeSession({ settings: new SettingsStore(storage) });
    session.begin();
    for (let ms = 0; ms < 3_600_000; ms += 250) session.accrue(240_000, 32_000, 250);
    expect(session.energy.sessionWs).toBe(7680 * 3600);
    expect(storage.writes).toBe(60);
    session.end();
    expect(storage.writes).toBe(61);
  });

  it('a power loss at any moment loses at most 10 Wh or one minute of charging, whichever is more (issue 14, 8)', () => {
    // three powers: 1.44 kW (10 Wh take 25 s), 11.5 kW (10 Wh in 3 s), 0.48 kW (10 Wh take 75 s)
    for (const [mV, mA] of [
      [240_000, 6_000],
      [240_000, 48_000],
      [120_000, 4_000],
    ]) {
      const storage = new MemoryStorage();
      const session = new ChargeSession({ settings: new SettingsStore(storage) });
      session.begin();
      const wattsPerMs = (mV / 1000) * (mA / 1000) / 1000; // Ws per ms
      const allowedWs = Math.max(10 * 3600, wattsPerMs * 60_000);
      let worst = 0;
      for (let ms = 0; ms < 20 * 60_000; ms += 100) {
        session.accrue(mV, mA, 100);
        // what the next power-on would read back
        const kept = new SettingsStore(storage).values.totalWs;
        worst = Math.max(worst, session.energy.totalWs - kept);
      }
      expect(worst).toBeLessThanOrEqual(allowedWs);
      expect(worst).toBeGreaterThan(allowedWs * 0.9);
    }
  });

  it('the saved total includes the running session and is read back by the next power-on', () => {
    const storage = new MemoryStorage();
    const session = new ChargeSession({ settings: new SettingsStore(storage), saveEveryWh: 500 });
    session.setTotalWh(100);
    session.begin();
    // 2 kW for 15 min = 500 Wh: the first periodic save.
    for (let ms = 0; ms < 15 * 60_000; ms += 1000) session.accrue(200_000, 10_000, 1000);
    expect(new SettingsStore(storage).values.totalWs).toBe((100 + 500) * 3600);
    // $GU's total stays the finished sessions' until the session ends (OpenEVSE).
    expect(session.energy.totalWh).toBe(100);
  });

  it('refuses a negative save interval', () => {
    expect(() => new ChargeSession({ settings: new SettingsStore(), saveEveryWh: -1 })).toThrow();
  });
});

// The control tick counts charging into ChargeSession.pending without a call
// while the voltage and reading stand (session.ts PendingCharge). This holds
// a session fed that way to one fed `accrue` on every tick: the same charge
// time, energy, limits and storage writes on every read, over random runs
// with readings, voltages, odd tick lengths, sessions, saves and $SK.
describe('session: charging counted by the tick without a call', () => {
  class LoggingStorage implements Storage {
    readonly log: string[] = [];
    read(): string | undefined {
      return undefined;
    }
    write(key: string, value: string): void {
      this.log.push(`${key}=${value}`);
    }
    remove(): void {}
  }

  it('gives the same figures and writes as accrue on every tick, over 200 random runs', () => {
    let seed = 99;
    const r = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let pended = 0;
    let reads = 0;
    for (let run = 0; run < 200; run++) {
      const sa = new LoggingStorage();
      const sb = new LoggingStorage();
      const options = run % 4 === 0 ? { saveEveryWh: 0 } : run % 4 === 1 ? { saveEveryWh: 1, saveEveryMs: 500 } : {};
      const a = new ChargeSession({ settings: new SettingsStore(sa), ...options });
      const b = new ChargeSession({ settings: new SettingsStore(sb), ...options });
      let mV = 240_000;
      let mA = 32_000;
      for (let k = 0; k < 3000; k++) {
        const x = r();
        if (x < 0.05) mA = Math.floor(r() * 40_000);
        else if (x < 0.06) mV = r() < 0.5 ? 120_000 : 240_000;
        else if (x < 0.065) {
          a.begin();
          b.begin();
        } else if (x < 0.07) {
          a.end();
          b.end();
        } else if (x < 0.072) {
          a.save();
          b.save();
        } else if (x < 0.073) {
          a.setTotalWh(5);
          b.setTotalWh(5);
        } else if (x < 0.075) {
          a.limits.time = b.limits.time = 1;
          a.limits.energy = b.limits.energy = r() < 0.5 ? 0 : 1;
        }
        const dt = r() < 0.95 ? 10 : r() < 0.5 ? 7.5 : Math.floor(r() * 70_000);
        a.accrue(mV, mA, dt);
        // The controller's tick, as controller.ts writes it.
        const p = b.pending;
        if (mA === p.mA && mV === p.mV && dt >= 0 && (dt | 0) === dt && p.ms + dt < p.room) {
          p.ms += dt;
          pended++;
        } else b.accrue(mV, mA, dt);
        if (r() < 0.05) {
          reads++;
          expect(b.chargeMs).toBe(a.chargeMs);
          expect(b.limitReached).toBe(a.limitReached);
          expect(b.energy.sessionWs).toBe(a.energy.sessionWs);
          expect(b.energy.totalWs).toBe(a.energy.totalWs);
          expect(sb.log).toEqual(sa.log);
        }
      }
      expect(b.energy.totalWs).toBe(a.energy.totalWs);
      expect(sb.log).toEqual(sa.log);
    }
    expect(pended).toBeGreaterThan(200_000);
    expect(reads).toBeGreaterThan(20_000);
  });
});
