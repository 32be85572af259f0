// Reading the memory figures a simulator build prints: the "instruments:"
// lines of an instrumented (`mcconfig -i`) build, once a second, and the
// firmware's own "memory:" lines (EVSE_MEMORY_MS, hosts/moddable/simulator),
// which give what survives a full garbage collection.
//
// The instruments sample the heaps at an arbitrary point of the allocation
// cycle, and stack use as the peak so far. Sizes are bytes of the build's
// machine (64-bit here: 32-byte slots); dividing by the slot size gives slot
// counts, which carry over to the ESP32 (16-byte slots).

export interface MemoryPeaks {
  /** Samples read. */
  samples: number;
  /** Highest "Slot used" of the instruments, slots: live plus garbage not yet collected. */
  slotsInUse: number;
  /** Highest "Chunk used", bytes (of this build's machine). */
  chunkInUse: number;
  /** Highest "Stack used", slots. */
  stack: number;
  /** Highest "Keys used". */
  keys: number;
  /** Garbage collections, summed over the samples. */
  collections: number;
  /** Highest live slots after a full collection ("memory:" lines), or undefined without them. */
  liveSlots?: number;
  /** Highest live chunk bytes after a full collection. */
  liveChunk?: number;
  /** Slot size of this build, bytes (heap bytes available / heap slots). */
  slotBytes: number;
  /** "XS abort: …" or "… stack overflow …" lines: the VM gave up. */
  aborts: string[];
}

/** Peaks from a simulator's output; `heapSlots` is the build's `creation.heap.initial`. */
export function memoryPeaks(output: string, heapSlots: number): MemoryPeaks {
  const keyLine = /^instruments key: (.*)$/m.exec(output);
  if (!keyLine) throw new Error('no "instruments key:" line: not an instrumented (mcconfig -i) build?');
  const names = keyLine[1].split(',').map((n) => n.trim());
  const column = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`the instruments have no "${name}" column (have: ${names.join(', ')})`);
    return i;
  };
  const c = {
    chunk: column('Chunk used'),
    slot: column('Slot used'),
    slotAvailable: column('Slot available'),
    stack: column('Stack used'),
    gc: column('Garbage collections'),
    keys: column('Keys used'),
  };
  const peaks: MemoryPeaks = { samples: 0, slotsInUse: 0, chunkInUse: 0, stack: 0, keys: 0, collections: 0, slotBytes: 0, aborts: [] };
  for (const m of output.matchAll(/^instruments: ([\d,]+)$/gm)) {
    const v = m[1].split(',').map(Number);
    if (v.length !== names.length) continue;
    // (the machine keeps a slot or so for itself: 157 664 bytes of 4 928 32-byte slots)
    if (!peaks.slotBytes) peaks.slotBytes = Math.round(v[c.slotAvailable] / heapSlots);
    peaks.samples++;
    peaks.slotsInUse = Math.max(peaks.slotsInUse, v[c.slot] / peaks.slotBytes);
    peaks.chunkInUse = Math.max(peaks.chunkInUse, v[c.chunk]);
    peaks.stack = Math.max(peaks.stack, v[c.stack] / peaks.slotBytes);
    peaks.keys = Math.max(peaks.keys, v[c.keys]);
    peaks.collections += v[c.gc];
  }
  for (const m of output.matchAll(/^(?:.* )?memory: slots=(\d+) chunks=(\d+) keys=(\d+)$/gm)) {
    peaks.liveSlots = Math.max(peaks.liveSlots ?? 0, Number(m[1]));
    peaks.liveChunk = Math.max(peaks.liveChunk ?? 0, Number(m[2]));
  }
  peaks.slotsInUse = Math.round(peaks.slotsInUse);
  peaks.stack = Math.round(peaks.stack);
  peaks.aborts = output.split('\n').filter((l) => /XS abort|stack overflow|memory full/.test(l));
  return peaks;
}
