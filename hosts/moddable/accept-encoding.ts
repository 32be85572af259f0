// Whether a request's Accept-Encoding takes gzip (RFC 9110 §12.5.3): a coding
// listed with a q-value above 0, or "*" when gzip is not refused by name. No
// header at all means the client did not say, and gets the identity coding
// (curl without --compressed; the dashboard's own fetches always send one).
// Pure: checked by the portable tests.

export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q') q = Number(v);
    }
    const ok = q > 0;
    if (coding.trim() === 'gzip' || coding.trim() === 'x-gzip') return ok;
    if (coding.trim() === '*') star = ok;
  }
  return star === true;
}
