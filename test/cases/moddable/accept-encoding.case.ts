// Content negotiation for the dashboard on the device (RFC 9110 §12.5.3).
import { describe, expect, it } from '../harness';
import { acceptsGzip } from '../../../hosts/moddable/accept-encoding';

describe('Accept-Encoding → gzip or not', () => {
  it('takes gzip when a browser lists it', () => {
    for (const h of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.8, *;q=0.1', 'GZIP', 'x-gzip', '*']) expect(acceptsGzip(h)).toBe(true);
  });

  it('sends the plain page when gzip is absent or refused', () => {
    for (const h of [undefined, '', 'identity', 'br', 'deflate, br', 'gzip;q=0', 'gzip;q=0, *', '*;q=0', 'br, *;q=0']) expect(acceptsGzip(h)).toBe(false);
  });
});
