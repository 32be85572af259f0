// Splits an HTTP request target ("/path?a=1&b") into the path and decoded
// query parameters that HttpRequest carries. Pure: the Moddable HTTP server
// hands over the raw target only.

export interface RequestTarget {
  path: string;
  query: Record<string, string>;
}

/** Form and URL decoding: "+" is a space; a malformed %-escape is kept as sent. */
function decode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Parses `a=1&b&c=` into {a: "1", b: "", c: ""}; a repeated name keeps its last value. */
export function parseQuery(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    query[name] = eq < 0 ? '' : decode(part.slice(eq + 1));
  }
  return query;
}

export function parseTarget(target: string): RequestTarget {
  const hash = target.indexOf('#');
  const bare = hash < 0 ? target : target.slice(0, hash);
  const q = bare.indexOf('?');
  const rawPath = q < 0 ? bare : bare.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return { path: path === '' ? '/' : path, query: q < 0 ? {} : parseQuery(bare.slice(q + 1)) };
}
