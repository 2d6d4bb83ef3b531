// The one argument parser of every command: node's strict parseArgs, whose complaints become usage errors followed
// by the command's usage text, and the checks commands share, each with the wording scripts and users know.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../command.ts';

export type ParsedArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T & { strict: true }>>;

/** An unknown flag, a missing value or an unexpected positional is a usage error, with `usage` after it. */
export function parseCommandArgs<const T extends ParseArgsConfig>(config: T, usage: string): ParsedArgs<T> {
  try {
    return parseArgs({ ...config, strict: true }) as ParsedArgs<T>;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

/** `--flag` as a number from `min` to `max` (whole unless `integer` is false); undefined when not given. */
export function numberOption(
  flag: string,
  raw: string | undefined,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  if (raw === undefined) return undefined;
  const integer = range.integer ?? true;
  const value = Number(raw);
  const valid = Number.isFinite(value) && (!integer || Number.isInteger(value));
  if (raw.trim() === '' || !valid || value < range.min || value > range.max) {
    throw new UsageError(
      `--${flag} must be ${integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max} (got "${raw}").`,
    );
  }
  return value;
}

/** `--flag` as one of a few words; undefined when not given. */
export function choiceOption<const C extends string>(
  flag: string,
  raw: string | undefined,
  choices: readonly C[],
): C | undefined {
  if (raw === undefined || (choices as readonly string[]).includes(raw)) return raw as C | undefined;
  throw new UsageError(`--${flag} must be ${choices.join(' or ')} (got "${raw}").`);
}

export function positiveInt(text: string, flag: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text.trim())) throw new UsageError(`${flag} takes positive whole numbers.`);
  return Number(text.trim());
}

/** `1, 2,,3` → ['1', '2', '3']. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

// Checks for commands with actions (`profiles add …`): `action` names the action in the message.

export function noExtraArguments(rest: readonly string[], action: string): void {
  if (rest.length) throw new UsageError(`${action} takes no further arguments.`);
}

/** Exactly one positional; `usage` is what follows "openlines " in the message, e.g. "profiles edit NAME". */
export function onePositional(rest: readonly string[], usage: string): string {
  if (rest.length !== 1 || !rest[0]) throw new UsageError(`usage: openlines ${usage}`);
  return rest[0];
}

/** Refuses every flag given but `allowed` (and --help). */
export function onlyFlags(values: object, allowed: readonly string[], action: string): void {
  const extra = Object.keys(values).filter((key) => !allowed.includes(key) && key !== 'help');
  if (extra.length) throw new UsageError(`${action} does not take --${extra.join(', --')}.`);
}

/** Refuses the `flags` given. */
export function forbidFlags(values: object, flags: readonly string[], action: string): void {
  const given = values as Record<string, unknown>;
  const used = flags.filter((flag) => given[flag] !== undefined);
  if (used.length) throw new UsageError(`${action} does not take --${used.join(', --')}.`);
}
