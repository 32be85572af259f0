// `/r` and `/rapi`: a RAPI command typed into the charger's own form or sent
// by a client (`?rapi=$GV&json=1`, or posted form-encoded), passed to the
// controller; the reply as JSON or as the form again with the reply under it.

import type { HttpRequest, HttpResponse } from '../ports';
import { json, msg, text } from './http-answer';
import { requestParams } from './http-form';
import type { HttpBackend, RapiOutcome } from './http-api';

/** `json=1`, `json=true` or a bare `json` ask for JSON (seed 001). */
function wantsJson(p: Record<string, string>): boolean {
  const j = p.json;
  return j !== undefined && (j === '' || j === '1' || j.toLowerCase() === 'true');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Not an async function: `/r` is on the ESP32 profile's load, and a suspended
// frame holds two more promises while the controller answers (docs/moddable.md "Memory").
export function rapiRequest(req: HttpRequest, backend: HttpBackend): HttpResponse | Promise<HttpResponse> {
  const p = requestParams(req);
  const asJson = wantsJson(p);
  const command = p.rapi;
  if (command === undefined || command.trim() === '') {
    if (asJson) return msg(400, 'rapi parameter required');
    return text(200, rapiPage('', ''), 'text/html');
  }
  // One promise for the request, settled from the RAPI client's callback (three before: the
  // client's, the gateway's `.then` and this one's).
  return new Promise<HttpResponse>((resolve, reject) =>
    backend.rapi(command, (outcome) => {
      try {
        resolve(rapiAnswer(outcome, asJson, backend));
      } catch (e) {
        reject(e);
      }
    }),
  );
}

function rapiAnswer(outcome: RapiOutcome, asJson: boolean, backend: HttpBackend): HttpResponse {
  if ('error' in outcome && outcome.error === 'RAPI_RESPONSE_QUEUE_FULL') {
    // Busy, not wrong: come back shortly (the client's queue for HTTP is full, others are not affected).
    const wait = String(backend.retryAfter?.() ?? 1);
    const r = asJson ? json(503, outcome) : text(503, rapiPage(outcome.cmd, outcome.error), 'text/html');
    return { ...r, headers: { ...r.headers, 'Retry-After': wait } };
  }
  if (asJson) return json('error' in outcome ? (outcome.error === 'RAPI_RESPONSE_TIMEOUT' ? 500 : 400) : 200, outcome);
  return text(200, rapiPage(outcome.cmd, 'ret' in outcome ? outcome.ret : outcome.error), 'text/html');
}

function rapiPage(cmd: string, ret: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>RAPI</title></head><body>' +
    '<h1>RAPI command</h1><form method="get" action="r">' +
    `<input type="text" name="rapi" value="${escapeHtml(cmd)}" autofocus>` +
    '<input type="submit" value="Send"></form>' +
    (cmd ? `<p><code>${escapeHtml(cmd)}</code></p><pre>&gt;${escapeHtml(ret)}</pre>` : '') +
    '</body></html>'
  );
}
