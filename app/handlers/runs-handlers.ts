// The `runs.*` channels over the runs core, and `run.progressed` for every run this process runs. A preview is
// kept in memory until it is started (or replaced): the renderer confirms a preview, never raw ids.
import { randomUUID } from 'node:crypto';
import type { RunProgress } from '../contract/runs.ts';
import {
  cancelRun,
  chatIdsFromList,
  exportCsv,
  type InvalidLine,
  listRuns,
  liveRun,
  parseChatIds,
  previewRun,
  type RunEnvironment,
  type RunHandle,
  RunInputError,
  RunStateError,
  readResults,
  requestLimitFromEnv,
  resumeRun,
  retryPlan,
  runDir,
  runSizeProblem,
  startRun,
} from '../core/runs/index.ts';
import { loadRun } from '../core/runs/run-store.ts';
import type { HandlerContext, RunsHandlers } from './context.ts';
import { APP_CODES, HandlerError } from './handler-error.ts';
import { ENV_PROFILE_ID } from './profile-summaries.ts';

/** Previews kept for confirmation; older ones are dropped. */
const MAX_PREVIEWS = 20;
const PREVIEW_TTL_MS = 60 * 60_000;

interface StoredPreview {
  profileId: string;
  mode: 'start' | 'restart';
  chatIds: number[];
  invalid: InvalidLine[];
  duplicates: number;
  skipInvalid: boolean;
  retryOf: string | null;
  at: number;
}

/** Maps the core's refusals to envelope errors; anything else passes through to the dispatcher. */
export function createRunsHandlers(context: HandlerContext): RunsHandlers {
  const runsDir = context.paths.runsDir;
  const previews = new Map<string, StoredPreview>();
  const watched = new WeakSet<RunHandle>();
  /** Runs this backend started or took up: the ones it stops at shutdown (another backend may share the process). */
  const own = new Set<RunHandle>();

  let requestLimitMs: number | undefined;
  try {
    requestLimitMs = requestLimitFromEnv();
  } catch (error) {
    context.log(`${error instanceof Error ? error.message : String(error)} The default applies.`);
  }

  const environment = async (profileId: string): Promise<RunEnvironment> => {
    const [client, profile] = await Promise.all([context.clientFor(profileId), context.profile(profileId)]);
    return {
      client,
      runsDir,
      profile: { id: profileId, name: profile.name },
      plan: profile.plan,
      ...(requestLimitMs === undefined ? {} : { requestLimitMs }),
      log: (line) => context.log(line),
    };
  };

  /** A run made by the CLI with OPENLINES_WEBHOOK_URL has no profile: the console's env mode is its home. */
  const environmentOfRun = async (runId: string): Promise<RunEnvironment> => {
    const { state } = await loadRun(runsDir, runId);
    return environment(state.header.profileId ?? ENV_PROFILE_ID);
  };

  const watch = (handle: RunHandle): RunProgress => {
    if (!watched.has(handle)) {
      watched.add(handle);
      own.add(handle);
      const unsubscribe = handle.subscribe((progress) => context.emit('run.progressed', progress));
      void handle.done.then(() => {
        own.delete(handle);
        context.emit('run.progressed', handle.progress());
        unsubscribe();
      });
    }
    return handle.progress();
  };

  const running = (runId: string): RunHandle | undefined => liveRun(runDir(runsDir, runId));

  // At shutdown every run stops sending and stays resumable; nothing in flight is lost (the journal has it).
  context.onClose(async () => {
    await Promise.all(
      [...own].map((handle) =>
        handle.interrupt({
          code: 'APP_CLOSED',
          message: 'The console closed during the run; resume it to continue.',
          until: null,
        }),
      ),
    );
  });

  return {
    'runs.preview': async ({ profileId, mode, source, skipInvalid, retryOf }) => {
      const parsed =
        source.kind === 'ids' ? chatIdsFromList(source.chatIds) : parseChatIds(source.text, source.fileName);
      const { invalid, duplicates, blank } = parsed;
      let { chatIds } = parsed;
      if (retryOf !== undefined) {
        // A retry holds only failures of that run a retry may help, whatever the renderer sent.
        const plan = await retryPlan(runsDir, retryOf);
        if ((plan.profileId || ENV_PROFILE_ID) !== profileId) {
          throw new RunStateError(`Bulk run ${retryOf} belongs to another portal profile.`);
        }
        if (plan.mode !== mode) {
          throw new RunStateError(`Bulk run ${retryOf} ran in ${plan.mode} mode; retry it the same way.`);
        }
        const retryable = new Set(plan.chatIds);
        chatIds = chatIds.filter((chatId) => retryable.has(chatId));
      }
      const tooMany = runSizeProblem(chatIds.length);
      if (tooMany) throw new RunInputError(tooMany);
      const client = await context.clientFor(profileId);
      const preview = await previewRun({ client, runsDir }, { chatIds, mode, invalid, duplicates });
      const previewId = randomUUID();
      const now = Date.now();
      for (const [id, stored] of previews) if (now - stored.at > PREVIEW_TTL_MS) previews.delete(id);
      while (previews.size >= MAX_PREVIEWS) previews.delete(previews.keys().next().value as string);
      previews.set(previewId, {
        profileId,
        mode,
        chatIds,
        invalid,
        duplicates,
        skipInvalid,
        retryOf: retryOf ?? null,
        at: now,
      });
      return {
        previewId,
        mode,
        total: preview.total,
        invalid: preview.invalid,
        duplicates: preview.duplicates,
        blankLines: blank,
        requests: preview.requests,
        expectedSeconds: preview.expectedSeconds,
      };
    },

    'runs.start': async ({ previewId }) => {
      const preview = previews.get(previewId);
      if (!preview || Date.now() - preview.at > PREVIEW_TTL_MS) {
        throw new HandlerError({
          code: APP_CODES.notFound,
          category: 'not-found',
          message: 'This preview is no longer available; preview the run again.',
        });
      }
      if (preview.invalid.length > 0 && !preview.skipInvalid) {
        throw new HandlerError({
          code: 'INVALID_CHAT_IDS',
          category: 'bad-input',
          message: `${preview.invalid.length} lines are not chat ids. Fix them, or choose to skip them; nothing was sent.`,
        });
      }
      if (preview.chatIds.length === 0) throw new RunInputError('There are no chats to run.');
      // Kept until the run exists: a portal that refused or could not be reached leaves the preview to start again.
      const handle = await startRun(await environment(preview.profileId), {
        chatIds: preview.chatIds,
        mode: preview.mode,
        invalid: preview.invalid,
        duplicates: preview.duplicates,
        retryOf: preview.retryOf,
      });
      previews.delete(previewId);
      return watch(handle);
    },

    'runs.pause': async ({ runId }) => {
      const handle = running(runId);
      if (!handle) throw new RunStateError(`Bulk run ${runId} is not running; there is nothing to pause.`);
      return handle.pause();
    },

    'runs.resume': async ({ runId }) => {
      const handle = running(runId) ?? (await resumeRun(await environmentOfRun(runId), runId));
      handle.resume();
      return watch(handle);
    },

    'runs.cancel': async ({ runId }) => {
      const handle = running(runId) ?? (await cancelRun(await environmentOfRun(runId), runId));
      void handle.cancel();
      return watch(handle);
    },

    'runs.list': async ({ profileId }) => {
      const runs = await listRuns(runsDir, (damaged) => context.log(damaged.problem));
      // A run made by the CLI with OPENLINES_WEBHOOK_URL has no profile: it belongs to the console's env mode.
      return profileId === undefined
        ? runs
        : runs.filter((run) => (run.profileId === '' ? ENV_PROFILE_ID : run.profileId) === profileId);
    },

    'runs.results': ({ runId }) => readResults(runsDir, runId),

    'runs.exportCsv': ({ runId }) => exportCsv(runsDir, runId),
  };
}
