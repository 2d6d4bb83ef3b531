// Bitrix24 answers are loose: ids arrive as strings or numbers, empty sections as [] instead of {}. These readers
// turn portal values into the types the console uses without trusting their shape.

export type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** An object map or an array, as a list of its values (PHP sends an empty map as `[]`). */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

/** A non-negative integer from a number or a numeric string; `fallback` otherwise. */
export function asInt(value: unknown, fallback = 0): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.trunc(n) : fallback;
}

export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** An ISO date from an ISO string or unix seconds; null when absent or unreadable. */
export function asIsoDate(value: unknown): string | null {
  if (value === null || value === undefined || value === '' || value === false) return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const seconds = Number(value);
    return seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  return null;
}

export function latestIso(...dates: Array<string | null>): string | null {
  let best: string | null = null;
  for (const date of dates) if (date !== null && (best === null || Date.parse(date) > Date.parse(best))) best = date;
  return best;
}
