// Wrong HTTP credentials, as OpenEVSE's WiFi firmware throttles them
// (web_auth.cpp): ten recent failures lock wrong credentials out with 429,
// one failure is forgiven per minute, the right credentials always get in.
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
  const get = async (headers: Record<string, string>) => (await settle(clock, gateway.http(request('GET', '/status', { headers })))).status;
  return { clock, get };
}

describe('throttle on wrong credentials', () => {
  it('answers 401 to the first nine wrong credentials and 429 from the tenth', async () => {
    const { get } = fixture();
    for (let i = 1; i <= 9; i++) expect(await get(basic('admin', `guess${i}`))).toBe(401);
    expect(await get(basic('admin', 'guess10'))).toBe(429);
    expect(await get(basic('admin', 'guess11'))).toBe(429);
  });

  it('never locks out the right credentials, and they clear the count', async () => {
    const { get } = fixture();
    for (let i = 0; i < 12; i++) await get(basic('admin', 'wrong'));
    expect(await get(basic('admin', 'pa55word'))).toBe(200);
    expect(await get(basic('admin', 'wrong'))).toBe(401);
  });

  it('a request without credentials still gets the 401 challenge', async () => {
    const { get } = fixture();
    for (let i = 0; i < 12; i++) await get(basic('admin', 'wrong'));
    expect(await get({})).toBe(401);
  });

  it('forgives one failure a minute', async () => {
    const { clock, get } = fixture();
    for (let i = 0; i < 10; i++) await get(basic('admin', 'wrong'));
    expect(await get(basic('admin', 'wrong'))).toBe(429); // 11 recent
    clock.advance(2 * 60000); // 11 − 2 = 9 left; the next failure makes 10
    expect(await get(basic('admin', 'wrong'))).toBe(429);
    clock.advance(3 * 60000); // 10 − 3 = 7; the next makes 8
    expect(await get(basic('admin', 'wrong'))).toBe(401);
  });
});
