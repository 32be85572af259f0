// The firmware's live XS memory under load, measured on the XS engine
// (bench/node/moddable-memory.bench.ts), against the ESP32 target profile the
// manifest gives it (chunk 78 848 bytes, heap 4 928 slots): the application's
// own state must leave at least half of each for the SDK's network objects
// (HTTP server and its sockets, MQTT client, DNS, Wi-Fi) and for peaks.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAll } from '../../../bench/node/moddable-memory.bench';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const creation = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')).platforms['esp32/*'].creation;

describe('moddable memory on XS', () => {
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
