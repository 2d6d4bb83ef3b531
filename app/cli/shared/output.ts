// Where a command's words go: the result on stdout (human text, or one JSON object with --json), progress and
// problems on stderr. Masking secrets is the default; the verbatim forms are for text the console wrote itself.
import { Bitrix24Error } from '../../core/bitrix24/errors.ts';
import { redact } from '../../core/redact.ts';
import { UsageError } from '../command.ts';
import { EXIT, type ExitCode, exitCodeOf } from './exit-codes.ts';

/** Set once a JSON object is out, so an error after it does not print a second one. */
let jsonPrinted = false;

export function printedJson(): boolean {
  return jsonPrinted;
}

/** The one JSON line of `--json`, secrets masked. */
export function printJson(value: object): void {
  jsonPrinted = true;
  process.stdout.write(`${redact(JSON.stringify(value))}\n`);
}

/** JSON as built: for objects that name a secret's state (`"secret": "stored"`), which the mask would blank. */
export function printJsonVerbatim(value: object): void {
  jsonPrinted = true;
  console.log(JSON.stringify(value));
}

/** One line on stderr, secrets masked: progress, and problems that may quote the portal or a file. */
export function note(line: string): void {
  process.stderr.write(`${redact(line)}\n`);
}

/**
 * One line on stderr as written: usage texts and the console's own wording, whose examples (`"clientSecret":"…"`)
 * the mask would blank.
 */
export function noteVerbatim(line: string): void {
  console.error(line);
}

/** The help text a command prints for --help. */
export function printUsage(usage: string): ExitCode {
  console.log(usage);
  return EXIT.ok;
}

/** Rows of cells in columns two spaces apart, as `profiles list` and `runs` print them. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  for (const cells of rows) {
    console.log(
      cells
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** Prints an error that reached the top without being handled and picks its exit code. */
export function reportUncaught(error: unknown): ExitCode {
  if (error instanceof UsageError) noteVerbatim(`openlines: ${error.message}`);
  else if (error instanceof Bitrix24Error) noteVerbatim(`openlines: ${error.message} [${error.code}]`);
  else note(`openlines: ${error instanceof Error ? error.message : String(error)}`);
  return exitCodeOf(error);
}
