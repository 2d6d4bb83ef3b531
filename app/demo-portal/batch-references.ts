// `batch` sub-commands may refer to earlier answers (`$result[key][field]`, `$error[…]`, …): the portal substitutes
// them before running the command, and leaves a reference it cannot resolve as text.
import type { PhpMap } from './php-query.ts';

const REFERENCE = /\$(result|error|total|next|time)((?:\[[^\]]*\])+)/g;

/** Resolves `$result[key][field]…` references in a batch sub-command's params; unresolved ones stay as text. */
export function substitute(
  value: PhpMap | string,
  sections: Record<'result' | 'error' | 'total' | 'next' | 'time', Record<string, unknown>>,
): unknown {
  if (typeof value !== 'string') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substitute(item, sections);
    return out;
  }
  const lookup = (section: string, path: string): unknown => {
    let node: unknown = sections[section as keyof typeof sections];
    for (const match of path.matchAll(/\[([^\]]*)\]/g)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[match[1] ?? ''];
    }
    return node;
  };
  const whole = /^\$(result|error|total|next|time)((?:\[[^\]]*\])+)$/.exec(value);
  if (whole) {
    const found = lookup(whole[1] as string, whole[2] as string);
    return found === undefined ? value : typeof found === 'object' && found !== null ? found : phpString(found);
  }
  return value.replace(REFERENCE, (text, section: string, path: string) => {
    const found = lookup(section, path);
    return found === undefined || (typeof found === 'object' && found !== null) ? text : phpString(found);
  });
}

/** PHP's string conversion of a scalar: true → "1", false and null → "". */
function phpString(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null) return '';
  return String(value);
}
