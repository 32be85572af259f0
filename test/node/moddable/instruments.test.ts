// Reading the memory figures out of a simulator's output (instruments.ts),
// with lines as an instrumented mcsim build and the firmware print them.
import { describe, expect, it } from 'vitest';
import { memoryPeaks } from './instruments';

const KEY =
  'instruments key: Pixels drawn,Frames drawn,Network bytes read,Network bytes written,Network sockets,Timers,Files,Poco display list used,Piu command List used,Chunk used,Chunk available,Slot used,Slot available,Stack used,Stack available,Garbage collections,Keys used,Modules loaded,Parser used,Floating Point,Promises settled';

describe('memoryPeaks', () => {
  it('takes the highest of each figure, in slots of the build (heap bytes / heap slots)', () => {
    const out = [
      KEY,
      'instruments: 0,0,0,0,0,4,0,0,0,65128,78848,100160,157664,10752,16384,8,4,2,0,540,20',
      'evse: standalone on simulator (simulated hardware)',
      'memory: slots=2324 chunks=22728 keys=17',
      'instruments: 0,0,0,0,0,4,0,0,0,71096,78848,86592,157664,14784,16384,3,26,2,0,8792,4',
      'memory: slots=3389 chunks=42288 keys=32',
    ].join('\n');
    const p = memoryPeaks(out, 4928);
    expect(p.slotBytes).toBe(32);
    expect(p.samples).toBe(2);
    expect(p.slotsInUse).toBe(Math.round(100160 / 32));
    expect(p.chunkInUse).toBe(71096);
    expect(p.stack).toBe(14784 / 32);
    expect(p.keys).toBe(26);
    expect(p.collections).toBe(11);
    expect(p.liveSlots).toBe(3389);
    expect(p.liveChunk).toBe(42288);
    expect(p.aborts).toEqual([]);
  });

  it('reports an abort, and refuses output that is not from an instrumented build', () => {
    const p = memoryPeaks(`${KEY}\n# Slot allocation: failed in fixed size heap\nXS abort: memory full`, 4928);
    expect(p.aborts).toEqual(['XS abort: memory full']);
    expect(p.liveSlots).toBeUndefined();
    expect(() => memoryPeaks('evse: standalone on simulator', 4928)).toThrow(/instruments key/);
  });
});
