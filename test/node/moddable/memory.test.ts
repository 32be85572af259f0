// A QUICK PROXY, not the measurement: the portable core's live XS memory on
// xsnap (bench/node/moddable-memory.bench.ts), without the SDK's objects,
// against the ESP32 target profile the manifest gives it (chunk 78 848 bytes,
// heap 4 928 slots): the core's own state must leave at least half of each. It
// runs in seconds and catches growth between commits; the firmware's real
// figures come from the ESP32 profile test on the real engine
// (esp32-profile.test.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAll } from '../../../bench/node/moddable-memory.bench';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const creation = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')).platforms['esp32/*'].creation;

describe('moddable memory on XS (xsnap proxy of the core only)', () => {
  it('leaves at least half the ESP32 slot heap and chunk heap free while charging with MQTT and four HTTP answers in flight', async () => {
    const m = await measureAll();
    // The run really did something: module code loaded, state grew with load.
    expect(m.loaded.slots).toBeGreaterThan(m.empty.slots);
    expect(m.charging.chunkBytes).toBeGreaterThan(m.idle.chunkBytes);
    // Preloaded module code is in flash on the device; what is above "loaded" is RAM.
    const slots = m.charging.slots - m.loaded.slots;
    const chunk = m.charging.chunkBytes - m.loaded.chunkBytes;
    expect(slots).toBeLessThan(creation.heap.initial / 2);
    expect(chunk).toBeLessThan(creation.chunk.initial / 2);
  }, 60000);
});
