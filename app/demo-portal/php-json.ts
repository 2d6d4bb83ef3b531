// PHP `json_encode` flavour, as the real portal answers: `\/` escaped slashes, non-ASCII as `\uXXXX`,
// empty maps as `[]`, and maps keyed 0..n-1 as lists (PHP cannot tell them apart).

function phpValue(value: unknown): unknown {
  if (value instanceof Map) return phpValue(Object.fromEntries(value));
  if (Array.isArray(value)) return value.map(phpValue);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return [];
    const record = value as Record<string, unknown>;
    if (keys.every((key, index) => key === String(index))) return keys.map((key) => phpValue(record[key]));
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = record[key];
      if (item !== undefined) out[key] = phpValue(item);
    }
    return out;
  }
  return value;
}

/** Serializes like PHP's `json_encode($value)` with default flags. */
export function phpJsonEncode(value: unknown): string {
  const json = JSON.stringify(phpValue(value)) ?? 'null';
  // `/` and non-ASCII only ever occur inside strings, so a global replace is safe.
  return json
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
