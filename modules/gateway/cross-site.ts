// Cross-site request protection. Any web page a user visits can make the
// browser send requests to the charger on the LAN (an <img src> for a GET,
// a form for a POST), and the browser attaches cached Basic credentials. So a
// request that changes state is refused when a browser says it comes from
// another site, unless that site is configured (`http_allowed_origins`).
//
// Browsers say where a request comes from with `Origin` (every POST, every
// fetch), `Sec-Fetch-Site` (every request of current browsers) and `Referer`
// (older ones, unless suppressed). Home Assistant, evcc, curl, Node-RED and
// MQTT send none of these and are not affected. "The charger itself" is an
// origin whose host:port is the request's Host, and only when that Host names
// the charger (an IP address, localhost, the hostname, hostname.local): a page
// on evil.example that re-points its DNS name at the charger (DNS rebinding)
// is same-origin to the browser but its Host is evil.example.

import type { HttpRequest } from '../ports';

/** A route whose GET changes state (OpenEVSE accepts GET for these). `param`: only when that query parameter is present. */
interface StatefulGet {
  path: string;
  param?: string;
}

/**
 * GET requests that change state. Every other method except HEAD and OPTIONS
 * changes state by definition (POST /config, /override, /claims, /sim …).
 * Listed in docs/security.md; keep the two in step.
 */
export const STATEFUL_GETS: readonly StatefulGet[] = [
  { path: '/r', param: 'rapi' },
  { path: '/rapi', param: 'rapi' },
  { path: '/reset' },
  { path: '/restart' },
  { path: '/apoff' },
  { path: '/savenetwork' },
  { path: '/savemqtt' },
];

/** STATEFUL_GETS by path (no prototype: `/constructor` is no entry). Read-only after load, so in flash on the device. */
const STATEFUL_BY_PATH: Readonly<Record<string, StatefulGet | undefined>> = (() => {
  const byPath: Record<string, StatefulGet> = Object.create(null) as Record<string, StatefulGet>;
  for (const r of STATEFUL_GETS) byPath[r.path] = r;
  return Object.freeze(byPath);
})();

export function changesState(req: HttpRequest): boolean {
  const method = req.method.toUpperCase();
  if (method === 'OPTIONS' || method === 'HEAD') return false;
  if (method !== 'GET') return true;
  const p = req.path;
  // Every request asks this: the regular expression only for a path with a trailing slash, one lookup.
  const path = p.length > 1 && p.charCodeAt(p.length - 1) === 47 ? p.replace(/\/+$/, '') : p;
  const r = STATEFUL_BY_PATH[path];
  return r !== undefined && (r.param === undefined || req.query[r.param] !== undefined);
}

/** `scheme://host[:port]` of a URL or origin, lower case; undefined if it is not one. */
export function originOf(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#@\s]+@)?([^/?#\s]+)/i.exec(url.trim());
  if (!m) return undefined;
  return `${m[1].toLowerCase()}://${m[3].toLowerCase()}`;
}

/** The host of a `host[:port]` (IPv6 in brackets kept), lower case. */
function hostName(hostPort: string): string {
  const h = hostPort.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** A Host header that names this charger: an IP literal, localhost, or one of its names (bare or `.local`). */
export function isOwnHost(host: string, names: readonly string[]): boolean {
  const h = hostName(host);
  if (h === '') return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.startsWith('[') || h === 'localhost') return true;
  for (const name of names) {
    const own = name.toLowerCase();
    if (own !== '' && (h === own || h === own + '.local')) return true;
  }
  return false;
}

/** Configured origins: space- or comma-separated, e.g. `http://homeassistant.local:8123`. */
export function parseOrigins(list: string): string[] {
  const out: string[] = [];
  for (const part of list.split(/[\s,]+/)) {
    if (part === '') continue;
    const o = originOf(part);
    if (o !== undefined) out.push(o);
  }
  return out;
}

export interface CrossSitePolicy {
  /** The charger's names: the `hostname` setting, and the host's own name where it has one. */
  hostnames: readonly string[];
  /** Origins allowed to change state besides the charger's own. */
  allowed: readonly string[];
}

/** Whether a browser's request from `origin` counts as the charger itself or an allowed site. */
function trusted(origin: string, req: HttpRequest, policy: CrossSitePolicy): boolean {
  if (policy.allowed.includes(origin)) return true;
  const host = req.headers.host ?? '';
  const self = origin.slice(origin.indexOf('://') + 3);
  return self === host.toLowerCase() && isOwnHost(host, policy.hostnames);
}

/**
 * Why a request must be refused as cross-site, or undefined to let it pass.
 * Requests that change no state always pass (reads stay open to any page, as
 * OpenEVSE's permissive CORS intends).
 */
export function crossSiteRefusal(req: HttpRequest, policy: CrossSitePolicy): string | undefined {
  if (!changesState(req)) return undefined;
  const h = req.headers;
  const origin = h.origin;
  if (origin !== undefined) {
    // "null": a sandboxed frame, a file:// page, a redirect across sites.
    const o = originOf(origin);
    if (o === undefined || !trusted(o, req, policy)) return `cross-site request from ${origin === '' ? 'an empty origin' : origin} refused`;
    return undefined;
  }
  const site = h['sec-fetch-site'];
  if (site !== undefined) {
    // A navigation the user typed or bookmarked; or the charger's own page.
    if (site === 'none') return undefined;
    if (site === 'same-origin' && isOwnHost(h.host ?? '', policy.hostnames)) return undefined;
    // same-site (another port or subdomain) and cross-site need an Origin on the allow list; a GET sends none.
    const ref = h.referer !== undefined ? originOf(h.referer) : undefined;
    if (ref !== undefined && trusted(ref, req, policy)) return undefined;
    return `${site} request refused`;
  }
  const referer = h.referer;
  if (referer !== undefined) {
    const r = originOf(referer);
    if (r !== undefined && !trusted(r, req, policy)) return `cross-site request from ${r} refused`;
  }
  return undefined;
}
