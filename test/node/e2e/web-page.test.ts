// The committed page resource is the page in web/, and small enough for an
// ESP32's flash next to the firmware.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_PAGE_ETAG, WEB_PAGE_GZIP_SIZE, WEB_PAGE_SIZE, webPage, webPageBytes } from '../../../modules/gateway/web-page';
import { readPage, squeeze } from '../../../web/build.mjs';

describe('modules/gateway/web-page.ts', () => {
  it('is web/index.html, rebuilt (run `node web/build.mjs` after editing web/)', () => {
    const served = gunzipSync(webPageBytes()).toString('utf8');
    expect(served).toBe(squeeze(readPage()));
    expect(Buffer.byteLength(served)).toBe(WEB_PAGE_SIZE);
  });

  it('stays under 12 kB gzipped', () => {
    expect(webPageBytes().length).toBe(WEB_PAGE_GZIP_SIZE);
    expect(WEB_PAGE_GZIP_SIZE).toBeLessThan(12 * 1024);
  });

  it('is one self-contained page: no external scripts, styles or fonts', () => {
    const html = squeeze(readPage());
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('is served gzip-encoded at / and /index.html, nowhere else', () => {
    for (const path of ['/', '/index.html']) {
      const r = webPage(path)!;
      expect(r.status).toBe(200);
      expect(r.headers['Content-Encoding']).toBe('gzip');
      expect(r.headers['Content-Type']).toMatch(/^text\/html/);
      expect(r.headers.ETag).toBe(WEB_PAGE_ETAG);
    }
    expect(webPage('/status')).toBeUndefined();
    expect(webPage('/index.htm')).toBeUndefined();
  });
});
