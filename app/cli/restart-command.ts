// `openlines restart`: start or restart sessions on many chats from a file or stdin. Scripts rely on the flags, the
// exit codes and the one JSON object `--json` prints, so they are exactly as issue #5 states. Progress goes to
// stderr; stdout holds only the result.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { RunMode, RunProgress } from '../contract/runs.ts';
import { createBitrix24Client } from '../core/bitrix24/client.ts';
import { classify } from '../core/bitrix24/errors.ts';
import type { Bitrix24Client, Plan } from '../core/bitrix24/types.ts';
import { dataPaths } from '../core/data-folder.ts';
import { type ResolvedPortal, resolvePortal } from '../core/profiles/resolve-portal.ts';
import { redact } from '../core/redact.ts';
import {
  requestLimitFromEnv as coreRequestLimitFromEnv,
  type InvalidLine,
  parseChatIds,
  previewRun,
  type RunEnvironment,
  type RunHandle,
  type RunPreviewInfo,
  type RunSummary,
  runSizeProblem,
  startRun,
} from '../core/runs/index.ts';
import { EXIT, UsageError } from './command.ts';

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

/** The result object `--json` prints: exactly these keys. */
export interface JsonResult {
  runId: string | null;
  mode: RunMode;
  total: number;
  started: number;
  alreadyActive: number;
  verified: number;
  failed: Array<{ chatId: number; code: string; message: string }>;
  invalid: InvalidLine[];
  duplicates: number;
  requests: number;
  limitHits: number;
  durationMs: number;
}

export function jsonResult(summary: RunSummary): JsonResult {
  return {
    runId: summary.runId,
    mode: summary.mode,
    total: summary.total,
    started: summary.started,
    alreadyActive: summary.alreadyActive,
    verified: summary.verified,
    failed: summary.failed,
    invalid: summary.invalid,
    duplicates: summary.duplicates,
    requests: summary.requests,
    limitHits: summary.limitHits,
    durationMs: summary.durationMs,
  };
}

/** A result for a run that never started (bad input, configuration, dry run). */
export function emptyResult(mode: RunMode, total: number, invalid: InvalidLine[], duplicates: number): JsonResult {
  return {
    runId: null,
    mode,
    total,
    started: 0,
    alreadyActive: 0,
    verified: 0,
    failed: [],
    invalid,
    duplicates,
    requests: 0,
    limitHits: 0,
    durationMs: 0,
  };
}

/** Set once the one JSON object is out, so an error after it does not print a second one. */
let printedJson = false;

export function printJson(value: object): void {
  printedJson = true;
  process.stdout.write(`${redact(JSON.stringify(value))}\n`);
}

export function note(line: string): void {
  process.stderr.write(`${redact(line)}\n`);
}

/** The exit code a run's end stands for. */
export function exitCodeFor(summary: RunSummary): number {
  switch (summary.status) {
    case 'finished':
      return summary.failed.length > 0 ? EXIT.someFailed : EXIT.ok;
    case 'stopped': {
      const category = summary.reason ? classify(summary.reason.code).category : 'blocked';
      return category === 'reauth' || category === 'permission' || category === 'bad-input'
        ? EXIT.config
        : EXIT.stopped;
    }
    default:
      return EXIT.stopped;
  }
}

/** Milliseconds the portal may still run a request after it was sent; only tests against a local portal lower it. */
export function requestLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  try {
    return coreRequestLimitFromEnv(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function progressLine(progress: RunProgress): string {
  const { counts } = progress;
  const done = counts.verified + counts['already-active'] + counts.failed + counts.skipped + counts.started;
  const parts = [
    `${done}/${progress.total} done`,
    `${counts.verified} verified`,
    `${counts['already-active']} already active`,
    `${counts.failed} failed`,
    `${progress.requests} requests`,
  ];
  if (progress.limitHits > 0) parts.push(`${progress.limitHits} limit hits`);
  if (progress.etaSeconds !== null && progress.status === 'running')
    parts.push(`about ${duration(progress.etaSeconds)} left`);
  return `openlines: ${progress.status} · ${parts.join(' · ')}`;
}

/**
 * Runs a started or resumed run to its end in the terminal: progress on stderr, SIGINT/SIGTERM stop sending and
 * leave the run resumable, the result on stdout. Returns the exit code.
 */
export async function superviseRun(handle: RunHandle, json: boolean): Promise<number> {
  note(`openlines: run ${handle.runId} (journal in ${handle.runDir})`);
  let lastLine = '';
  let lastAt = 0;
  let lastStatus = '';
  const unsubscribe = handle.subscribe((progress) => {
    const now = Date.now();
    if (progress.status !== lastStatus && progress.reason) note(`openlines: ${progress.reason.message}`);
    const line = progressLine(progress);
    if (progress.status !== lastStatus || (now - lastAt >= 1_000 && line !== lastLine)) {
      note(line);
      lastLine = line;
      lastAt = now;
    }
    lastStatus = progress.status;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(EXIT.stopped);
    note(`openlines: ${signal}: stopping; the run stays resumable with "openlines resume ${handle.runId}".`);
    void handle.interrupt({
      code: 'INTERRUPTED',
      message: `Interrupted by ${signal}; resume it with "openlines resume ${handle.runId}".`,
      until: null,
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: RunSummary;
  try {
    summary = await handle.done;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report(summary);
  if (json) printJson(jsonResult(summary));
  return exitCodeFor(summary);
}

function report(summary: RunSummary): void {
  note(
    `openlines: run ${summary.runId} ${summary.status}: ${summary.total} chats, ${summary.started} started ` +
      `(${summary.verified} verified), ${summary.alreadyActive} already active, ${summary.failed.length} failed` +
      (summary.skipped > 0 ? `, ${summary.skipped} skipped` : '') +
      (summary.unfinished > 0 ? `, ${summary.unfinished} not done yet` : '') +
      ` · ${summary.requests} requests, ${summary.limitHits} limit hits, ${duration(summary.durationMs / 1000)}`,
  );
  for (const failed of summary.failed.slice(0, 50)) {
    note(`  chat ${failed.chatId}: ${failed.code} — ${failed.message}`);
  }
  if (summary.failed.length > 50)
    note(`  … and ${summary.failed.length - 50} more in ${summary.resultsFile ?? 'the results file'}`);
  if (summary.reason && summary.status !== 'finished') note(`openlines: ${summary.reason.message}`);
  if (summary.status === 'stopped' || summary.status === 'interrupted') {
    note(`openlines: resume with: openlines resume ${summary.runId}`);
  }
  if (summary.resultsFile) note(`openlines: results: ${summary.resultsFile}`);
}

export function bulkEnvironment(portal: ResolvedPortal, client: Bitrix24Client, plan: string | null): RunEnvironment {
  const environment: RunEnvironment = {
    client,
    runsDir: dataPaths().runsDir,
    profile: portal.profile
      ? { id: portal.profile.id, name: portal.profile.name }
      : { id: null, name: 'OPENLINES_WEBHOOK_URL' },
    plan,
  };
  const limit = requestLimitFromEnv();
  if (limit !== undefined) environment.requestLimitMs = limit;
  return environment;
}

export function clientFor(portal: ResolvedPortal, plan: Plan | undefined): Bitrix24Client {
  const options = { ...portal.clientOptions };
  if (plan) options.plan = plan;
  return createBitrix24Client(options);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

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

export async function run(argv: string[]): Promise<number> {
  try {
    return await restart(argv);
  } catch (error) {
    // Whatever goes wrong, `--json` still leaves its one object on stdout.
    if (argv.includes('--json') && !printedJson) {
      // The message goes to stderr (printed by the caller); stdout keeps exactly the documented keys.
      printJson(emptyResult(argv.includes('restart') ? 'restart' : 'start', 0, [], 0));
    }
    throw error;
  }
}

async function restart(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const json = values.json === true;
  const mode = values.mode ?? 'start';
  if (mode !== 'start' && mode !== 'restart') throw new UsageError(`--mode must be start or restart (got "${mode}").`);
  const plan = values.plan;
  if (plan !== undefined && plan !== 'standard' && plan !== 'enterprise') {
    throw new UsageError(`--plan must be standard or enterprise (got "${plan}").`);
  }
  if (values.chats === undefined) throw new UsageError(`--chats is required.\n\n${USAGE}`);
  const fromStdin = values.chats === '-';

  const fail = (code: number, message: string, result: JsonResult): number => {
    note(`openlines: ${message}`);
    if (json) printJson(result);
    return code;
  };

  let text: string;
  try {
    text = fromStdin ? await readStdin() : await readFile(values.chats, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return fail(EXIT.usage, `cannot read --chats ${values.chats}: ${reason}.`, emptyResult(mode, 0, [], 0));
  }
  const parsed = parseChatIds(text, fromStdin ? undefined : values.chats);
  const nothing = emptyResult(mode, parsed.chatIds.length, parsed.invalid, parsed.duplicates);
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

  let portal: ResolvedPortal;
  try {
    portal = await resolvePortal({ profileName: values.profile });
  } catch (error) {
    return fail(EXIT.config, redact(error instanceof Error ? error.message : String(error)), nothing);
  }
  const client = clientFor(portal, plan);
  const environment = bulkEnvironment(portal, client, plan ?? portal.clientOptions.plan ?? null);
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
  const handle = await startRun(environment, {
    chatIds: parsed.chatIds,
    mode,
    invalid: parsed.invalid,
    duplicates: parsed.duplicates,
  });
  return superviseRun(handle, json);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      chats: { type: 'string' },
      mode: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
      plan: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
