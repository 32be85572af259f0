// The dashboard, served from the firmware's flash resources (manifest.json
// "resources": resources/dashboard.html.gz and resources/dashboard.html,
// written by tools/dashboard-resources.mjs from web/index.html): the response body is
// a view of the resource, so nothing is decoded or copied per request. gzip
// goes to clients that accept it, the plain page to those that do not: the
// device has no room to inflate on their behalf.

import Resource from 'Resource';
import type { HttpRequest, HttpResponse } from '../../modules/ports';
import { acceptsGzip } from './accept-encoding';

/** GET or HEAD of / or /index.html; undefined for every other request. */
export function dashboard(request: HttpRequest): HttpResponse | undefined {
  if (request.path !== '/' && request.path !== '/index.html') return undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const gzip = acceptsGzip(request.headers['accept-encoding']);
  const headers: Record<string, string> = {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
  };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  return { status: 200, headers, body: new Uint8Array(new Resource(gzip ? 'dashboard.html.gz' : 'dashboard.html')) };
}
