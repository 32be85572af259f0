// The Preference-backed Storage port keeps the promise of modules/ports.ts:
// "after a power loss the key holds the old or the new value, never a mix",
// on a model of the ESP32 NVS (15-character keys, 4000-byte strings, one
// atomic write at a time).
import { describe, it, expect } from '../harness';
import { PreferenceStorage, storedName } from '../../../hosts/moddable/storage';
import { PowerLoss, SimNvs } from '../../../sim/nvs';

function fixture(chunk = 64) {
  const nvs = new SimNvs();
  const storage = new PreferenceStorage({ preference: nvs, domain: 'evse', chunk });
  return { nvs, storage };
}

/** A value of `n` characters where every position is recognisable. */
function text(n: number, seed: string): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${seed}${i};`;
  return s.slice(0, n);
}

describe('moddable PreferenceStorage', () => {
  it('reads back what was written, short and long, ASCII and not', () => {
    const { storage } = fixture();
    storage.write('config', '{"a":1}');
    const long = text(1000, 'x'); // 16 chunks of 64
    storage.write('log', long);
    const accents = 'température ≥ 50 °C — 🔌'.repeat(10);
    storage.write('notes', accents);
    expect(storage.read('config')).toBe('{"a":1}');
    expect(storage.read('log')).toBe(long);
    expect(storage.read('notes')).toBe(accents);
    expect(storage.read('absent')).toBeUndefined();
  });

  it('keeps an empty string distinct from an absent key', () => {
    const { storage } = fixture();
    storage.write('k', '');
    expect(storage.read('k')).toBe('');
    storage.remove('k');
    expect(storage.read('k')).toBeUndefined();
  });

  it('maps long or unusual keys to NVS keys of at most 15 characters without collisions', () => {
    const { nvs, storage } = fixture();
    const keys = ['energy_counters_total', 'energy_counters_session', 'a key with spaces', 'x~y'];
    keys.forEach((k, i) => storage.write(k, text(200 + i, k)));
    keys.forEach((k, i) => expect(storage.read(k)).toBe(text(200 + i, k)));
    for (const key of nvs.keys('evse')) expect(key.length).toBeLessThanOrEqual(15);
    expect(new Set(keys.map(storedName)).size).toBe(keys.length);
  });

  it('stores a 20 kB value although one NVS string holds 4000 bytes', () => {
    const { storage } = fixture(1024);
    const big = text(20000, 'big');
    storage.write('dash', big);
    expect(storage.read('dash')).toBe(big);
  });

  it('leaves no stale chunks behind after values shrink or are removed', () => {
    const { nvs, storage } = fixture();
    storage.write('k', text(640, 'a')); // 10 chunks
    storage.write('k', text(130, 'b')); // 3 chunks, other slot
    expect(nvs.size).toBe(1 + 3);
    storage.write('k', 'short');
    expect(nvs.size).toBe(1);
    storage.write('k', text(300, 'c'));
    storage.remove('k');
    expect(nvs.size).toBe(0);
  });

  it('after a power cut at any write while replacing a long value, reads the old or the new value, never a mix', () => {
    const oldValue = text(500, 'old');
    const newValue = text(700, 'new');
    let sawOld = 0;
    let sawNew = 0;
    for (let budget = 0; budget < 40; budget++) {
      const { nvs, storage } = fixture();
      storage.write('cfg', oldValue);
      nvs.cutPowerAfter(budget);
      let cut = false;
      try {
        storage.write('cfg', newValue);
      } catch (e) {
        expect(e instanceof PowerLoss).toBe(true);
        cut = true;
      }
      nvs.restore();
      const after = new PreferenceStorage({ preference: nvs, domain: 'evse', chunk: 64 }).read('cfg');
      if (after === oldValue) sawOld++;
      else if (after === newValue) sawNew++;
      else throw new Error(`power cut after ${budget} writes left a value of ${after?.length} characters that is neither`);
      if (!cut) expect(after).toBe(newValue);
    }
    // Both outcomes happen: the cut points cover the whole write.
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });

  it('after a power cut while writing a new key, reads nothing or the whole value', () => {
    const value = text(300, 'v');
    for (let budget = 0; budget < 10; budget++) {
      const { nvs, storage } = fixture();
      nvs.cutPowerAfter(budget);
      try {
        storage.write('fresh', value);
      } catch {
        // power lost
      }
      nvs.restore();
      const after = storage.read('fresh');
      expect(after === undefined || after === value).toBe(true);
    }
  });

  it('writes a short value with a single NVS write', () => {
    const { nvs, storage } = fixture();
    storage.write('a', '1');
    const before = nvs.writes;
    storage.write('a', '2');
    expect(nvs.writes - before).toBe(1);
  });
});
