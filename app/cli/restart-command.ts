// `openlines restart`: start or restart sessions on many chats from a file or stdin. Scripts rely on the flags, the
// exit codes and the one JSON object `--json` prints, so they are exactly as issue #5 states. Progress goes to
// stderr; stdout holds only the result.
import { readFile } from 'node:fs/promises';
import { isBitrix24Error } from '../core/bitrix24/errors.ts';
import {
  type InvalidLine,
  parseChatIds,
  previewRun,
  type RunHandle,
  type RunPreviewInfo,
  runSizeProblem,
  startRun,
} from '../core/runs/index.ts';
import { UsageError } from './command.ts';
import { choiceOption, parseCommandArgs } from './shared/arguments.ts';
import { EXIT, type ExitCode, exitCodeOf } from './shared/exit-codes.ts';
import { confirm, readStdin } from './shared/input.ts';
import { note, printedJson, printJson, printUsage } from './shared/output.ts';
import { clientFor, resolveRunPortal, runEnvironment } from './shared/run-portal.ts';
import { duration, emptyResult, type JsonResult, refuseRun } from './shared/run-result.ts';
import { superviseRun } from './shared/run-supervision.ts';

const USAGE = `Usage: openlines restart --chats <file|-> [--mode start|restart] [--skip-invalid] [--dry-run] [--yes] [--json]
                         [--plan standard|enterprise] [--profile NAME]

Starts (--mode start, the default) or restarts (--mode restart: close the active session, then start a new one)
sessions on every chat listed in the file, or on stdin with "-". One chat id a line, or a CSV with a CHAT_ID column.

  --skip-invalid  run the valid ids even when some lines are not chat ids (they are listed either way)
  --dry-run       print the preview (chats, requests, expected duration) and send nothing
  --yes           start without asking; without it the command asks on the terminal, and refuses when there is none
  --json          print one JSON object with the result on stdout when done
  --plan          the portal's plan, for pacing (standard: 2 requests/s; enterprise: 5/s)
  --profile       the portal profile (else OPENLINES_WEBHOOK_URL, else OPENLINES_PROFILE, else the default profile)

Exit codes: 0 every chat started, verified or already active; 1 some chats failed; 2 bad input or usage, nothing
sent; 3 auth, permission or configuration; 4 stopped by the portal or interrupted (resume with "openlines resume").`;

function previewText(preview: RunPreviewInfo, portal: string): string[] {
  const bound =
    preview.boundBy === 'bucket'
      ? 'the request rate limit'
      : preview.boundBy === 'execution'
        ? 'the portal’s execution time'
        : `the operating-time budget of ${preview.boundBy}`;
  return [
    `Bulk ${preview.mode} on ${portal}: ${preview.total} chats` +
      (preview.duplicates > 0 ? ` (${preview.duplicates} duplicates dropped)` : '') +
      (preview.invalid.length > 0 ? `, ${preview.invalid.length} bad lines skipped` : ''),
    `  requests: about ${preview.requests} (${
      preview.sessionCheck === 'watermark'
        ? 'the newest session id once, then a dialog.get after each chat'
        : 'a dialog.get before and after each chat; fewer where the portal has Session.list'
    }, batched)`,
    `  expected duration: about ${duration(preview.expectedSeconds)}, bound by ${bound}`,
  ];
}

/** Lines a terminal shows before the count of the rest: a binary file must not flood stderr (--json keeps all). */
export const INVALID_LINES_SHOWN = 20;

function printInvalid(invalid: InvalidLine[]): void {
  for (const line of invalid.slice(0, INVALID_LINES_SHOWN)) {
    note(`  line ${line.line}: ${JSON.stringify(line.input)} — ${line.reason}`);
  }
  const rest = invalid.length - INVALID_LINES_SHOWN;
  if (rest > 0) note(`  … and ${rest} more ${rest === 1 ? 'line' : 'lines'} (--json lists every one)`);
}

const OPTIONS = {
  chats: { type: 'string' },
  mode: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  plan: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  try {
    return await restart(argv);
  } catch (error) {
    // Whatever goes wrong, `--json` still leaves its one object on stdout.
    if (argv.includes('--json') && !printedJson()) {
      // The message goes to stderr (printed by the caller); stdout keeps exactly the documented keys.
      printJson(emptyResult(argv.includes('restart') ? 'restart' : 'start', 0, [], 0));
    }
    throw error;
  }
}

async function restart(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: false }, USAGE);
  if (values.help) return printUsage(USAGE);
  const json = values.json === true;
  const mode = choiceOption('mode', values.mode, ['start', 'restart']) ?? 'start';
  const plan = choiceOption('plan', values.plan, ['standard', 'enterprise']);
  if (values.chats === undefined) throw new UsageError(`--chats is required.\n\n${USAGE}`);
  const fromStdin = values.chats === '-';
  const fail = (code: ExitCode, message: string, result: JsonResult): number => refuseRun(code, message, json, result);

  let text: string;
  try {
    text = fromStdin ? await readStdin() : await readFile(values.chats, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return fail(EXIT.usage, `cannot read --chats ${values.chats}: ${reason}.`, emptyResult(mode, 0, [], 0));
  }
  const parsed = parseChatIds(text, fromStdin ? undefined : values.chats);
  const nothing = emptyResult(mode, parsed.chatIds.length, parsed.invalid, parsed.duplicates);
  if (parsed.blank > 0) note(`openlines: ${parsed.blank} blank line${parsed.blank === 1 ? '' : 's'} skipped.`);
  if (parsed.invalid.length > 0 && !values['skip-invalid']) {
    note(`openlines: ${parsed.invalid.length} lines are not chat ids; nothing was sent:`);
    printInvalid(parsed.invalid);
    return fail(EXIT.usage, 'fix these lines, or pass --skip-invalid to run the valid ids only.', nothing);
  }
  if (parsed.invalid.length > 0) {
    note(`openlines: skipping ${parsed.invalid.length} lines that are not chat ids:`);
    printInvalid(parsed.invalid);
  }
  const tooMany = runSizeProblem(parsed.chatIds.length);
  if (tooMany) return fail(EXIT.usage, tooMany, nothing);
  if (parsed.chatIds.length === 0) return fail(EXIT.usage, 'the input holds no chat ids; nothing was sent.', nothing);

  const chosen = await resolveRunPortal(values.profile);
  if (!chosen.ok) return fail(chosen.exit, chosen.message, nothing);
  const { portal } = chosen;
  const client = clientFor(portal, plan);
  const environment = runEnvironment(portal, client, plan ?? portal.clientOptions.plan ?? null);
  const preview = await previewRun(
    { client, runsDir: environment.runsDir },
    { chatIds: parsed.chatIds, mode, invalid: parsed.invalid, duplicates: parsed.duplicates },
  );
  const lines = previewText(preview, portal.label);
  if (values['dry-run']) {
    if (json) {
      printJson({
        ...nothing,
        preview: { requests: preview.requests, expectedSeconds: preview.expectedSeconds, boundBy: preview.boundBy },
      });
    } else for (const line of lines) console.log(line);
    note('openlines: dry run: nothing was sent.');
    return EXIT.ok;
  }
  for (const line of lines) note(line);
  if (!values.yes) {
    if (fromStdin || !process.stdin.isTTY) {
      return fail(
        EXIT.usage,
        'refusing to start without --yes: there is no terminal to confirm on. Nothing was sent.',
        nothing,
      );
    }
    if (!(await confirm(`Start the bulk ${mode} of ${preview.total} chats? [y/N] `))) {
      return fail(EXIT.usage, 'not confirmed; nothing was sent.', nothing);
    }
  }
  let handle: RunHandle;
  try {
    handle = await startRun(environment, {
      chatIds: parsed.chatIds,
      mode,
      invalid: parsed.invalid,
      duplicates: parsed.duplicates,
    });
  } catch (error) {
    // The portal refused the credentials or could not be reached before anything was written: no run to resume.
    if (!isBitrix24Error(error)) throw error;
    return fail(
      exitCodeOf(error),
      `${error.message.replace(/\.$/, '')}. Nothing was sent and no run was made.`,
      nothing,
    );
  }
  return superviseRun(handle, json);
}
