// `openlines resume [RUN_ID] [--json]`: continues an unfinished bulk run (the most recent one without an id). Writes
// that were in flight when the run stopped are read back from the portal before anything is sent again.
import { parseArgs } from 'node:util';
import { dataPaths } from '../core/data-folder.ts';
import { type ResolvedPortal, resolvePortal } from '../core/profiles/resolve-portal.ts';
import { redact } from '../core/redact.ts';
import {
  listUnfinishedRuns,
  RunBusyError,
  RunNotFoundError,
  RunPortalMismatchError,
  RunStateError,
  resumeRun,
} from '../core/runs/index.ts';
import { loadRun } from '../core/runs/run-store.ts';
import { EXIT, UsageError } from './command.ts';
import { bulkEnvironment, clientFor, emptyResult, note, printJson, superviseRun } from './restart-command.ts';

const USAGE = `Usage: openlines resume [RUN_ID] [--json] [--profile NAME]

Resumes an unfinished bulk run: the most recent one when no RUN_ID is given ("openlines runs" lists them).
The portal is the run's own: --profile, else OPENLINES_WEBHOOK_URL, else the profile the run was made with.
Exit codes as for "openlines restart".`;

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`resume takes one run id at most.\n\n${USAGE}`);
  const json = values.json === true;
  const runsDir = dataPaths().runsDir;

  const fail = (code: number, message: string): number => {
    note(`openlines: ${message}`);
    if (json) printJson(emptyResult('start', 0, [], 0));
    return code;
  };

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
    if (error instanceof RunNotFoundError) return fail(EXIT.usage, error.message);
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
  let portal: ResolvedPortal;
  try {
    portal = await resolvePortal({ profileName });
  } catch (error) {
    return fail(EXIT.config, redact(error instanceof Error ? error.message : String(error)));
  }
  const plan = header.plan === 'standard' || header.plan === 'enterprise' ? header.plan : undefined;
  const client = clientFor(portal, plan);
  const environment = bulkEnvironment(portal, client, header.plan);
  environment.profile = { id: header.profileId, name: header.profileName };
  try {
    const handle = await resumeRun(environment, runId);
    note(`openlines: resuming run ${runId} (${header.mode}, ${header.chatIds.length} chats on ${header.portal}).`);
    return await superviseRun(handle, json);
  } catch (error) {
    if (error instanceof RunPortalMismatchError) return fail(EXIT.config, error.message);
    if (error instanceof RunStateError) return fail(EXIT.usage, error.message);
    if (error instanceof RunBusyError) return fail(EXIT.usage, error.message);
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
