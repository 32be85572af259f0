// The dashboard resource decodes on the engine itself (the device has no
// atob): the bytes are a gzip stream of the stated size.
import { describe, it, expect } from '../harness';
import { WEB_PAGE_GZIP_SIZE, WEB_PAGE_SIZE, webPage, webPageBytes } from '../../../modules/gateway/web-page';

describe('dashboard resource', () => {
  it('decodes to a gzip stream (RFC 1952: 1f 8b, method 8 deflate) of the stated size', () => {
    const b = webPageBytes();
    expect(b.length).toBe(WEB_PAGE_GZIP_SIZE);
    expect(b[0]).toBe(0x1f);
    expect(b[1]).toBe(0x8b);
    expect(b[2]).toBe(8);
  });

  it('ends with the page length (the gzip ISIZE trailer, little-endian)', () => {
    const b = webPageBytes();
    const n = b.length;
    const isize = b[n - 4] | (b[n - 3] << 8) | (b[n - 2] << 16) | (b[n - 1] << 24);
    expect(isize).toBe(WEB_PAGE_SIZE);
  });

  it('answers / with the gzip bytes', () => {
    const r = webPage('/');
    expect(r).toBeDefined();
    expect(r!.headers['Content-Encoding']).toBe('gzip');
    expect((r!.body as Uint8Array).length).toBe(WEB_PAGE_GZIP_SIZE);
  });
});
