// Starting, resuming, cancelling and retrying runs: where a run is created (and its chats checked, once), taken up
// again from its journal, or ended.

import { retryMaySucceed } from '../../contract/errors.ts';
import type { RunMode } from '../../contract/runs.ts';
import { isBitrix24Error } from '../bitrix24/errors.ts';
import { MAX_CHAT_ID, runSizeProblem } from './chat-ids.ts';
import { JOURNAL_VERSION, JournalWriter, type RunHeader, readJournal, type WatermarkRecord } from './journal.ts';
import { noteSessionCheck, readWatermark } from './read-lane.ts';
import { RunInputError, RunPortalMismatchError, RunStateError } from './run-errors.ts';
import { liveRun, RunExecution } from './run-execution.ts';
import { isUnfinished, RunState } from './run-state.ts';
import { acquireLock, createRunDir, loadRun, newRunId, readCosts, runDirOf } from './run-store.ts';
import { DEFAULT_REQUEST_LIMIT_MS, type RunEnvironment, type RunHandle, type StartRunInput } from './run-types.ts';

/** Creates a run: the one place its chats are checked (unique, valid ids, within the run size). */
export async function startRun(env: RunEnvironment, input: StartRunInput): Promise<RunHandle> {
  const chatIds = [...new Set(input.chatIds)];
  if (chatIds.length === 0) throw new RunInputError('There are no chats to run.');
  const tooMany = runSizeProblem(chatIds.length);
  if (tooMany) throw new RunInputError(tooMany);
  const bad = chatIds.find((id) => !Number.isInteger(id) || id < 1 || id > MAX_CHAT_ID);
  if (bad !== undefined) throw new RunInputError(`${String(bad)} is not a chat id.`);
  // Asked before anything is written: a portal that refuses the credentials or cannot be reached gets no run record,
  // only the error. A blocked portal gets its run, stopped with the reason, to resume once Bitrix24 lifts the block.
  let mark: WatermarkRecord | null = null;
  try {
    mark = await readWatermark(env.client);
  } catch (error) {
    if (!isBitrix24Error(error) || error.category !== 'blocked') throw error;
  }
  const runId = newRunId();
  const dir = await createRunDir(env.runsDir, runId);
  const release = await acquireLock(dir, runId);
  try {
    const header: RunHeader = {
      t: 'header',
      v: JOURNAL_VERSION,
      runId,
      profileId: env.profile.id,
      profileName: env.profile.name,
      portal: env.client.portalLabel,
      mode: input.mode,
      plan: env.plan ?? null,
      chatIds,
      invalid: [...(input.invalid ?? [])],
      duplicates: input.duplicates ?? 0,
      requestLimitMs: env.requestLimitMs ?? DEFAULT_REQUEST_LIMIT_MS,
      retryOf: input.retryOf ?? null,
      createdAt: Date.now(),
    };
    const journal = await JournalWriter.create(dir, header);
    const state = new RunState(header);
    if (mark) {
      await journal.append([mark]);
      state.apply(mark);
      state.requests++;
      await noteSessionCheck(env, runId, header.portal, mark);
    }
    const costs = await readCosts(env.runsDir, header.portal);
    const run = new RunExecution(env, state, journal, dir, release, false, costs);
    run.begin();
    return run;
  } catch (error) {
    await release();
    throw error;
  }
}

export async function resumeRun(env: RunEnvironment, runId: string): Promise<RunHandle> {
  const dir = runDirOf(env.runsDir, runId);
  const running = liveRun(dir);
  if (running) {
    running.resume();
    return running;
  }
  const release = await acquireLock(dir, runId);
  try {
    const journal = await JournalWriter.reopen(dir);
    try {
      const { records } = await readJournal(dir);
      const state = RunState.replay(records);
      if (!isUnfinished(state.status)) throw new RunStateError(`Bulk run ${runId} has already ${state.status}.`);
      const portal = env.client.portalLabel.toLowerCase();
      if (state.header.portal.toLowerCase() !== portal) {
        throw new RunPortalMismatchError(
          `Bulk run ${runId} was made on ${state.header.portal} (profile "${state.header.profileName}"), not on ${env.client.portalLabel}.`,
        );
      }
      // The user resumes a run the portal had blocked: they are saying the block was lifted.
      if (env.client.limits.snapshot().blocked) env.client.clearBlock();
      const costs = await readCosts(env.runsDir, state.header.portal);
      const run = new RunExecution(env, state, journal, dir, release, true, costs);
      run.begin();
      return run;
    } catch (error) {
      await journal.close();
      throw error;
    }
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Cancels a run: a live one stops sending; one whose process ended is taken up just long enough to read back what
 * it had in flight, then marked cancelled (what was never sent becomes `skipped`).
 */
export async function cancelRun(env: RunEnvironment, runId: string): Promise<RunHandle> {
  const handle = liveRun(runDirOf(env.runsDir, runId)) ?? (await resumeRun(env, runId));
  void handle.cancel();
  return handle;
}

/** A new run over the failed chats of a run that has ended (same mode and portal). */
/** The failed chats of an ended run that a retry may help, and how many it leaves out because it cannot. */
export interface RetryPlan {
  mode: RunMode;
  /** The run's profile (null: the portal came from OPENLINES_WEBHOOK_URL). */
  profileId: string | null;
  chatIds: number[];
  /** Failures the portal refused for the chat itself (CHAT_ID, CHAT_TYPE, ACCESS_DENIED, …): a retry fails again. */
  hopeless: number;
}

export async function retryPlan(runsDir: string, runId: string): Promise<RetryPlan> {
  const stored = await loadRun(runsDir, runId);
  if (isUnfinished(stored.status)) {
    throw new RunStateError(`Bulk run ${runId} has not ended yet: resume it rather than retrying its failed chats.`);
  }
  const failed = [...stored.state.chats.values()].filter((chat) => chat.state === 'failed');
  if (failed.length === 0) throw new RunStateError(`Bulk run ${runId} has no failed chats.`);
  const chatIds = failed.filter((chat) => retryMaySucceed(chat.code)).map((chat) => chat.chatId);
  const { header } = stored.state;
  return { mode: header.mode, profileId: header.profileId, chatIds, hopeless: failed.length - chatIds.length };
}
