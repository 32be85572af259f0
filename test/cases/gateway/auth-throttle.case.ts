// Wrong HTTP credentials: OpenEVSE's decaying count (web_auth.cpp: ten recent
// failures lock with 429, one failure forgiven per minute), kept per peer,
// and a locked peer's credentials are not checked at all (issue 14, 6).
import { describe, it, expect } from '../harness';
import { Gateway } from '../../../modules/gateway/gateway';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, request, settle } from './fixtures';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function basic(user: string, pass: string): Record<string, string> {
  const s = `${user}:${pass}`;
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
  }
  return { authorization: 'Basic ' + out };
}

function fixture() {
  const clock = new VirtualClock();
  const gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: { write() {} }, info: { id: 'a1b2c3d4e5f6' } });
  expect(gateway.config.update({ www_username: 'admin', www_password: 'pa55word' }).ok).toBe(true);
  const answer = (headers: Record<string, string>, remote = '192.168.1.66') => settle(clock, gateway.http({ ...request('GET', '/status', { headers }), remote }));
  const get = async (headers: Record<string, string>, remote?: string) => (await answer(headers, remote)).status;
  return { clock, get, answer };
}

const RIGHT = basic('admin', 'pa55word');

describe('throttle on wrong credentials', () => {
  it('answers 401 to the first nine wrong credentials and 429 from the tenth', async () => {
    const { get } = fixture();
    for (let i = 1; i <= 9; i++) expect(await get(basic('admin', `guess${i}`))).toBe(401);
    expect(await get(basic('admin', 'guess10'))).toBe(429);
    expect(await get(basic('admin', 'guess11'))).toBe(429);
  });

  it('a locked peer gets 429 even for the right password, with Retry-After until the lock ends', async () => {
    const { get, answer } = fixture();
    for (let i = 0; i < 10; i++) await get(basic('admin', 'wrong'));
    const r = await answer(RIGHT);
    expect(r.status).toBe(429);
    // ten recent failures, one forgiven per minute: checked again after 60 s
    expect(r.headers['Retry-After']).toBe('60');
  });

  it('50 guesses with the right password as the 20th: the guesser never gets in', async () => {
    const { clock, get } = fixture();
    const answers: number[] = [];
    for (let i = 1; i <= 50; i++) {
      answers.push(await get(i === 20 ? RIGHT : basic('admin', `guess${i}`)));
      clock.advance(20); // a guess every 20 ms
    }
    expect(answers[19]).toBe(429);
    expect(answers.includes(200)).toBe(false);
  });

  it('a guess a second for ten minutes: after the tenth every answer is 429, and the right one then waits for a free slot', async () => {
    const { clock, get } = fixture();
    const statuses: number[] = [];
    for (let s = 0; s < 600; s++) {
      statuses.push(await get(basic('admin', `guess${s}`)));
      clock.advance(1000);
    }
    expect(statuses.slice(0, 9).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(9).every((x) => x === 429)).toBe(true);
    // guesses got checked once a minute (each re-locking); the owner, from the same peer, gets in at the next free slot
    let waited = 0;
    while ((await get(RIGHT)) === 429 && waited < 120) {
      clock.advance(1000);
      waited++;
    }
    expect(waited).toBeLessThanOrEqual(60);
  });

  it('another peer with the right password gets in while one peer is locked', async () => {
    const { get } = fixture();
    for (let i = 0; i < 12; i++) await get(basic('admin', 'wrong'), '192.168.1.66');
    expect(await get(RIGHT, '192.168.1.66')).toBe(429);
    expect(await get(RIGHT, '192.168.1.10')).toBe(200);
  });

  it('guesses spread over many addresses lock every peer that never logged in, not those that did', async () => {
    const { get } = fixture();
    expect(await get(RIGHT, '192.168.1.10')).toBe(200); // Home Assistant logged in before
    for (let i = 0; i < 30; i++) expect(await get(basic('admin', 'wrong'), `10.0.0.${i}`)).toBe(i < 29 ? 401 : 429);
    expect(await get(RIGHT, '10.0.1.1')).toBe(429);
    expect(await get(RIGHT, '192.168.1.10')).toBe(200);
  });

  it('a request without credentials still gets the 401 challenge', async () => {
    const { get } = fixture();
    for (let i = 0; i < 12; i++) await get(basic('admin', 'wrong'));
    expect(await get({})).toBe(401);
  });

  it('forgives one failure a minute', async () => {
    const { clock, get } = fixture();
    for (let i = 0; i < 10; i++) await get(basic('admin', 'wrong'));
    expect(await get(basic('admin', 'wrong'))).toBe(429); // locked: not checked, not counted
    clock.advance(60000); // 10 − 1 = 9: checked again
    expect(await get(RIGHT)).toBe(200);
    // the right password clears the count
    expect(await get(basic('admin', 'wrong'))).toBe(401);
  });
});
