// Peers authenticate with the group key: SHA-256 and HMAC against published
// vectors, and a member refusing forged, tampered, replayed and foreign messages.
import { describe, expect, it } from '../harness';
import { hex, hmacSha256, sha256, utf8 } from '../../../modules/energy/group/sha256';
import { GroupMember, type GroupSettings } from '../../../modules/energy/group/member';
import { sign } from '../../../modules/energy/group/message';

describe('group message authentication', () => {
  it('SHA-256 of "abc" and of the 448-bit message (FIPS 180-4 examples)', () => {
    expect(hex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(hex(sha256(utf8('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('HMAC-SHA256, RFC 4231 test cases 2 and 6 (a key longer than the block)', () => {
    expect(hex(hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    const key = new Uint8Array(131).fill(0xaa);
    expect(hex(hmacSha256(key, utf8('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  function pair() {
    let now = 0;
    const settings: GroupSettings = { group: 'garage', key: 'k3y', limit: 40, size: 2, min: 6, rotationMs: 60000 };
    const make = (id: string) => new GroupMember({ id, boot: `${id}-1`, now: () => now, settings: () => settings, want: () => 32, offer: () => 0 });
    return { a: make('a'), b: make('b'), settings, tick: (ms: number) => (now += ms) };
  }

  it('accepts a signed message once; refuses it replayed, tampered, unsigned, signed with another key or for another group', () => {
    const { a, b } = pair();
    const m = a.publish();
    expect(b.receive(JSON.parse(JSON.stringify(m)))).toBeUndefined();
    expect(b.receive(JSON.parse(JSON.stringify(m)))).toMatch('replayed');
    const next = a.publish();
    expect(b.receive({ ...next, want: 0 })).toMatch('bad signature');
    const { mac: _mac, ...unsigned } = next;
    expect(b.receive(unsigned)).toBe('unsigned');
    expect(b.receive(sign({ ...next, seq: next.seq + 1 }, 'guess'))).toMatch('bad signature');
    expect(b.receive(sign({ ...next, seq: next.seq + 1, group: 'other' }, 'k3y'))).toMatch('another group');
    expect(b.receive(sign({ ...next, seq: next.seq + 1, limit: 60 }, 'k3y'))).toMatch('another group');
    expect(b.receive('{')).toBe('not an object');
    expect(b.errors.count).toBe(7);
    expect(b.peers().map((p) => p.id)).toEqual(['a']);
  });
});
