// The firmware's XS memory with OCPP on (bench/node/ocpp-memory.bench.ts), against
// the ESP32 creation sizes of manifest.json: charging in a transaction with a
// profile installed, the application state must fit the slot heap and chunk heap
// (docs/ocpp.md gives the figures; the half-free margin of memory.test.ts is not met).
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { measureOcpp } from '../../../bench/node/ocpp-memory.bench';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const creation = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')).platforms['esp32/*'].creation;

describe('OCPP memory on XS', () => {
  it('charging online with OCPP fits the ESP32 slot and chunk heaps; offline the queue grows the chunk heap', async () => {
    const m = await measureOcpp();
    const online = { slots: m['ocpp-charging'].slots - m.loaded.slots, chunk: m['ocpp-charging'].chunkBytes - m.loaded.chunkBytes };
    const offline = { chunk: m['ocpp-offline'].chunkBytes - m.loaded.chunkBytes };
    expect(online.slots).toBeGreaterThan(0);
    expect(online.slots).toBeLessThan(creation.heap.initial);
    expect(online.chunk).toBeLessThan(creation.chunk.initial);
    // 60 queued transaction messages held in MemoryStorage: the run really queued them.
    expect(offline.chunk).toBeGreaterThan(online.chunk + 20000);
  }, 120000);
});
