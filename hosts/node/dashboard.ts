// The dashboard on the Node host: the gzip page (modules/gateway/web-page.ts)
// to a client that accepts gzip, and the same page inflated (once, by zlib) to
// one that does not, as the device serves its plain copy from flash
// (hosts/moddable/dashboard.ts). A PC has the room to inflate; the device does not.

import { gunzipSync } from 'node:zlib';
import type { HttpResponse } from '../../modules/ports';
import { webPage, webPageBytes } from '../../modules/gateway/web-page';

let plain: Uint8Array | undefined;

/** GET / and /index.html; undefined for any other path. */
export function dashboard(path: string, gzip: boolean): HttpResponse | undefined {
  const page = webPage(path);
  if (!page) return undefined;
  if (gzip) return { ...page, headers: { ...page.headers, Vary: 'Accept-Encoding' } };
  plain ??= new Uint8Array(gunzipSync(webPageBytes()));
  const headers: Record<string, string> = { ...page.headers, Vary: 'Accept-Encoding' };
  delete headers['Content-Encoding'];
  return { ...page, headers, body: plain };
}
