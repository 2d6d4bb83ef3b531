// Date and value formats the portal answers with.

/** The demo portal's own time zone (Europe/Moscow, no DST), so clients see a non-zero offset as on real portals. */
export const PORTAL_TZ_OFFSET_SECONDS = 3 * 3600;

/** ATOM date (`2026-03-16T14:31:58+03:00`) in the portal's time zone. */
export function atom(ms: number): string {
  const local = new Date(ms + PORTAL_TZ_OFFSET_SECONDS * 1000);
  return `${local.toISOString().slice(0, 19)}+03:00`;
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Integer params arrive as numbers or strings; anything else is NaN. */
export function toInt(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number.NaN;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return Number.NaN;
}

export function isYes(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && /^(y|1|true)$/i.test(value));
}

/** A param that may be a list (JSON array, `A[]=1&A[]=2` map) or a single value. */
export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value);
  return [value];
}

/** Keys upper-cased at the top level, as imopenlines and im methods do (`array_change_key_case`). */
export function upperKeys(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) out[key.toUpperCase()] = value;
  return out;
}
