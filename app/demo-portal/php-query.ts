// PHP `parse_str` semantics for query strings and form bodies: `A[b]=1`, `A[]=x`, `A[b][c]=2`.

export type PhpValue = string | PhpMap;
export interface PhpMap {
  [key: string]: PhpValue;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

function nextIndex(map: PhpMap): string {
  let max = -1;
  for (const key of Object.keys(map)) {
    if (/^(0|[1-9]\d*)$/.test(key)) max = Math.max(max, Number(key));
  }
  return String(max + 1);
}

/** Parses `a=1&B[x]=2&C[]=3` into nested maps, like PHP's `parse_str`. */
export function parsePhpQuery(query: string): PhpMap {
  const out: PhpMap = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const open = rawKey.indexOf('[');
    const base = open > 0 ? rawKey.slice(0, open) : rawKey;
    if (base === '') continue;
    const path: string[] = [];
    if (open > 0) {
      const re = /\[([^\]]*)\]/gy;
      re.lastIndex = open;
      let match = re.exec(rawKey);
      while (match) {
        path.push(match[1] ?? '');
        match = re.exec(rawKey);
      }
    }
    if (path.length === 0) {
      out[base] = value;
      continue;
    }
    let node = out;
    let key = base;
    for (const segment of path) {
      let child = node[key];
      if (child === undefined || typeof child === 'string') {
        child = {};
        node[key] = child;
      }
      node = child;
      key = segment === '' ? nextIndex(node) : segment;
    }
    node[key] = value;
  }
  return out;
}
