// HTTP basic credentials (RFC 7617) as the charger checks them: the header
// decoded, compared in time that tells nothing of the secret, and the answers
// that ask for them (401) or refuse a peer that keeps guessing (429). The
// router (http-api.ts) decides when to ask; the throttle (auth-throttle.ts)
// counts the guesses.

import type { HttpRequest, HttpResponse } from '../ports';
import { headers } from './http-answer';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 → string of byte values (credentials are ASCII or Latin-1 in practice); undefined if malformed. */
export function base64Decode(input: string): string | undefined {
  const s = input.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(s) || s.length % 4 === 1) return undefined;
  let out = '';
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 6) | B64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
}

/** Compares in time that depends only on the expected secret's length, so a timing probe learns nothing of its content. */
export function sameSecret(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

/** The request's credentials against `want`: 'ok' (or none asked for), 'none' (none given) or 'wrong'. */
export function credentialsOf(req: HttpRequest, want: { user: string; pass: string } | undefined): 'ok' | 'none' | 'wrong' {
  if (!want) return 'ok';
  const h = req.headers.authorization;
  if (h === undefined) return 'none';
  const m = /^Basic\s+(\S+)\s*$/i.exec(h);
  const decoded = m ? base64Decode(m[1]) : undefined;
  const colon = decoded === undefined ? -1 : decoded.indexOf(':');
  if (decoded === undefined || colon < 0) return 'wrong';
  // Evaluate both comparisons so the answer time does not tell which one failed.
  const userOk = sameSecret(decoded.slice(0, colon), want.user);
  const passOk = sameSecret(decoded.slice(colon + 1), want.pass);
  return userOk && passOk ? 'ok' : 'wrong';
}

/** 401: the credentials are asked for. */
export function challenge(): HttpResponse {
  return { status: 401, headers: { ...headers('application/json'), 'WWW-Authenticate': 'Basic realm="openevse", charset="UTF-8"' }, body: '{"msg":"auth"}' };
}

/** 429: a peer locked for guessing, to come back in `seconds`. */
export function locked(seconds: number): HttpResponse {
  return { status: 429, headers: { ...headers('application/json'), 'Retry-After': String(seconds) }, body: '{"msg":"locked"}' };
}
