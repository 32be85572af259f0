// The console drops its oldest lines by moving a head index and compacts
// now and then (console-buffer.ts): through thousands of lines of mixed
// length, with clears, it must read exactly as "the newest lines that fit".
import { describe, expect, it } from '../harness';
import { ConsoleBuffer } from '../../../modules/gateway/console-buffer';

describe('console buffer over many lines', () => {
  it('always holds the newest whole lines within the limit, counting what it dropped', () => {
    const limit = 300;
    const c = new ConsoleBuffer(limit);
    let all: string[] = [];
    let dropped = 0;
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const line = `#${i} ${'x'.repeat(seed % 70)}`;
      c.add(line);
      all.push(line);
      // The definition: drop from the front until the lines and their newlines fit.
      let chars = all.reduce((n, l) => n + l.length + 1, 0);
      while (chars > limit) {
        chars -= all[0].length + 1;
        all = all.slice(1);
        dropped++;
      }
      if (i % 97 === 0 || i > 4990) {
        expect(c.text()).toBe(all.length ? all.join('\n') + '\n' : '');
        expect(c.length).toBe(chars);
        expect(c.dropped).toBe(dropped);
      }
      if (i === 2500) {
        c.clear();
        all = [];
        expect(c.text()).toBe('');
      }
    }
  });

  it('cuts a line longer than the console to fit', () => {
    const c = new ConsoleBuffer(16);
    c.add('a'.repeat(40));
    expect(c.text()).toBe('a'.repeat(15) + '\n');
    c.add('b');
    expect(c.text()).toBe('b\n');
  });
});
