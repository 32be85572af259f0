// How every route answers: JSON or text with the same headers (CORS, no
// caching), and the `{ status, body }` pair features hand back. Shared by the
// router (http-api.ts) and the features' routes.

import type { HttpResponse } from '../ports';

/** Seed 001: the local handlers send permissive CORS headers. */
export const CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Allow-Methods': '*',
};

/** A status and a JSON body. */
export type Answer = { status: number; body: unknown };

export function headers(type: string): Record<string, string> {
  // CORS written out, not spread: every answer makes one (test/cases/gateway/status-document.case.ts holds it to CORS).
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    'Access-Control-Allow-Methods': '*',
    'Content-Type': type,
    'Cache-Control': 'no-cache, private, no-store, must-revalidate',
  };
}

export function json(status: number, body: unknown): HttpResponse {
  return { status, headers: headers('application/json'), body: JSON.stringify(body) };
}

export function text(status: number, body: string, type = 'text/plain'): HttpResponse {
  return { status, headers: headers(type), body };
}

/** A JSON response from a status and body, or from an Answer. */
export function answer(status: number | Answer, body?: unknown): HttpResponse {
  return typeof status === 'number' ? json(status, body) : json(status.status, status.body);
}

export function msg(status: number, message: string): HttpResponse {
  return json(status, { msg: message });
}

/** The parsed JSON of a body, or undefined when it is not JSON. */
export function jsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object body, or undefined (not JSON, or an array, null, a number…). */
export function objectBody(body: string): Record<string, unknown> | undefined {
  const v = jsonBody(body);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
