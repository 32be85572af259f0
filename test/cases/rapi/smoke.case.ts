import { describe, it, expect } from '../harness';
import { encode } from '../../../modules/rapi/frame';

describe('harness smoke', () => {
  it('encodes $GS with XOR', () => {
    expect(encode('GS')).toBe('$GS^30\r');
  });
  it('runs async cases', async () => {
    const v = await Promise.resolve(3);
    expect(v).toBe(3);
  });
});
