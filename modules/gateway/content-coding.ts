// Content-coding negotiation (RFC 9110 §12.5.3): whether a client takes gzip.

/**
 * True when an `Accept-Encoding` header lists `gzip` (or `x-gzip`, or `*`)
 * with a q-value above 0. No header at all counts as no: RFC 9110 lets a
 * server send any coding then, but a client that sends none (plain curl,
 * scripts) prints compressed bytes as binary.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [coding, ...opts] = part.split(';');
    const name = coding.trim().toLowerCase();
    let q = 1;
    for (const o of opts) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(o);
      if (m) q = Number(m[1]);
    }
    if (name === 'gzip' || name === 'x-gzip') return q > 0;
    if (name === '*') star = q > 0;
  }
  return star;
}
