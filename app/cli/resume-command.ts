// `openlines resume [RUN_ID] [--json]`: continues an unfinished bulk run (the most recent one without an id). Writes
// that were in flight when the run stopped are read back from the portal before anything is sent again.

import { dataPaths } from '../core/data-folder.ts';
import { listUnfinishedRuns, RunBusyError, RunNotFoundError, RunStateError, resumeRun } from '../core/runs/index.ts';
import { loadRun } from '../core/runs/run-store.ts';
import { UsageError } from './command.ts';
import { parseCommandArgs } from './shared/arguments.ts';
import { EXIT, type ExitCode, exitCodeOf } from './shared/exit-codes.ts';
import { note, printUsage } from './shared/output.ts';
import { clientFor, resolveRunPortal, runEnvironment } from './shared/run-portal.ts';
import { emptyResult, refuseRun } from './shared/run-result.ts';
import { superviseRun } from './shared/run-supervision.ts';

const USAGE = `Usage: openlines resume [RUN_ID] [--json] [--profile NAME]

Resumes an unfinished bulk run: the most recent one when no RUN_ID is given ("openlines runs" lists them).
The portal is the run's own: --profile, else OPENLINES_WEBHOOK_URL, else the profile the run was made with.
Exit codes as for "openlines restart".`;

const OPTIONS = {
  json: { type: 'boolean' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true }, USAGE);
  if (values.help) return printUsage(USAGE);
  if (positionals.length > 1) throw new UsageError(`resume takes one run id at most.\n\n${USAGE}`);
  const json = values.json === true;
  const runsDir = dataPaths().runsDir;
  const fail = (code: ExitCode, message: string): number =>
    refuseRun(code, message, json, emptyResult('start', 0, [], 0));

  let runId = positionals[0];
  if (runId === undefined) {
    const unfinished = await listUnfinishedRuns(runsDir);
    const latest = unfinished[0];
    if (!latest) return fail(EXIT.usage, 'there is no unfinished bulk run to resume.');
    runId = latest.runId;
  }
  let stored: Awaited<ReturnType<typeof loadRun>>;
  try {
    stored = await loadRun(runsDir, runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) return fail(exitCodeOf(error), error.message);
    throw error;
  }
  const { header } = stored.state;

  // The run's own profile comes before OPENLINES_PROFILE and the default profile: a run belongs to its portal.
  let profileName: string | undefined;
  if (values.profile) profileName = values.profile;
  else if (!process.env.OPENLINES_WEBHOOK_URL?.trim()) {
    if (header.profileId === null) {
      return fail(
        EXIT.config,
        `run ${runId} was made with OPENLINES_WEBHOOK_URL (portal ${header.portal}); set it again, or pass --profile.`,
      );
    }
    profileName = header.profileId;
  }
  const chosen = await resolveRunPortal(profileName);
  if (!chosen.ok) return fail(chosen.exit, chosen.message);
  const plan = header.plan === 'standard' || header.plan === 'enterprise' ? header.plan : undefined;
  const client = clientFor(chosen.portal, plan);
  const environment = runEnvironment(chosen.portal, client, header.plan);
  environment.profile = { id: header.profileId, name: header.profileName };
  try {
    const handle = await resumeRun(environment, runId);
    note(`openlines: resuming run ${runId} (${header.mode}, ${header.chatIds.length} chats on ${header.portal}).`);
    return await superviseRun(handle, json);
  } catch (error) {
    // The run cannot go on as asked (a RunPortalMismatchError is a RunStateError); the rest reaches the caller.
    if (error instanceof RunStateError || error instanceof RunBusyError) return fail(exitCodeOf(error), error.message);
    throw error;
  }
}
