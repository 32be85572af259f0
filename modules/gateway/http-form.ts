// The parameters of a request as the OpenEVSE WiFi module's forms and clients
// send them (python-openevse-http posts /r form-encoded): the query, plus the
// fields of an application/x-www-form-urlencoded POST body.

import type { HttpRequest } from '../ports';

/** application/x-www-form-urlencoded → record; later duplicates win. */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      // a malformed escape: skip that pair
    }
  }
  return out;
}

function isFormBody(req: HttpRequest): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Query parameters, plus form fields of a form-encoded POST body. */
export function requestParams(req: HttpRequest): Record<string, string> {
  return req.method === 'POST' && isFormBody(req) ? { ...req.query, ...parseForm(req.body) } : req.query;
}
