// What a run does to each chat, as a parameter of its lanes: the write steps it sends, how a read of the chat
// afterwards confirms them, and what is left to send. Start and restart are the two actions today; another
// supervisor action is another entry here, not another copy of the lanes.
import type { RunMode } from '../../contract/runs.ts';
import { METHODS } from './estimate.ts';
import type { ChatChange, WriteStep } from './journal.ts';
import { clockTime } from './run-errors.ts';
import type { ChatEntry } from './run-state.ts';

/** A chat read back (dialog.get) after the run wrote to it. */
export interface ReadBack {
  sessionId: number;
  /** The session was opened since the run began (see RunState.isNewSession). */
  isNew: boolean;
  /** When that session was created (unix ms), or null where the portal did not say. */
  createdAt: number | null;
}

/** How far the portal's clock may be behind ours before a session's creation time contradicts our write. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A session the watermark calls new can still be one the chat had before the run: Session.list shows this user only
 * the lines of their reports, so the watermark may be low. When the session was created well before the run sent its
 * start, the two disagree: the chat is reported unconfirmed with the reason, never guessed either way.
 */
function contradicted(chat: ChatEntry, read: ReadBack): ChatChange | null {
  if (!read.isNew || read.createdAt === null || chat.startSentAt === null) return null;
  if (read.createdAt >= chat.startSentAt - CLOCK_SKEW_MS) return null;
  return {
    id: chat.chatId,
    s: 'failed',
    sid: read.sessionId,
    code: 'UNCONFIRMED',
    msg:
      `The chat's session looks new, but it was created at ${clockTime(read.createdAt)}, before the run sent its ` +
      `start at ${clockTime(chat.startSentAt)}: it may have been open already. Check the chat.`,
  };
}

export interface RunAction {
  readonly mode: RunMode;
  /** The methods this action sends, reads included: an operating-time hold on any of them holds the run. */
  readonly methods: readonly string[];
  /** The write a pending chat needs next. */
  nextStep(chat: ChatEntry): WriteStep;
  /** The REST method of a step; the chat is its only parameter (CHAT_ID). */
  methodOf(step: WriteStep): string;
  /** A chat whose last step the portal accepted, read back to confirm it. */
  verified(chat: ChatEntry, read: ReadBack): ChatChange;
  /** A chat whose write had an unknown fate, read back once the portal can no longer be running it. */
  reconciled(chat: ChatEntry, read: ReadBack): ChatChange;
  /** A step refused as bad input proves that its earlier copy, of unknown fate, had run. */
  refusalProvesDone(step: WriteStep, chat: ChatEntry): boolean;
  /** Writes a pending or in-flight chat still needs, by method (for the estimate of time left). */
  writesLeft(chat: ChatEntry): Record<string, number>;
}

const STEP_METHODS: Record<WriteStep, string> = { start: METHODS.start, finish: METHODS.finish };

/** Shared by start and restart: both end in a session.start whose new session id a read confirms. */
const sessionSteps = {
  nextStep: (chat: ChatEntry): WriteStep => (chat.closed ? 'start' : 'finish'),
  methodOf: (step: WriteStep): string => STEP_METHODS[step],
  reconciled(chat: ChatEntry, read: ReadBack): ChatChange {
    const doubt = contradicted(chat, read);
    if (doubt) return doubt;
    if (chat.inFlight?.step === 'start' || chat.closed) {
      // A new session: the start ran (and this reading confirms it). The old one: it never ran.
      return read.isNew ? { id: chat.chatId, s: 'verified', sid: read.sessionId } : { id: chat.chatId, s: 'pending' };
    }
    if (read.isNew) return { id: chat.chatId, s: 'pending', closed: true };
    // Closing keeps the session id, so reading cannot tell: send the finish again (the portal is done with the first
    // one), and take a "nothing to close" answer as proof that it had run.
    return { id: chat.chatId, s: 'pending', closed: false, uf: true };
  },
  // A finish sent again after an unknown fate, refused as bad input: the first one had closed it.
  refusalProvesDone: (step: WriteStep, chat: ChatEntry): boolean => step === 'finish' && chat.uncertainFinish,
};

/** session.start on every chat: a chat with an open session keeps it (start only joins it). */
const startAction: RunAction = {
  ...sessionSteps,
  mode: 'start',
  methods: [METHODS.start, METHODS.read],
  verified(chat, read) {
    const doubt = contradicted(chat, read);
    if (doubt) return doubt;
    // session.start on an open session only joins it: the session it had before the run.
    return read.isNew
      ? { id: chat.chatId, s: 'verified', sid: read.sessionId }
      : { id: chat.chatId, s: 'already-active', sid: read.sessionId };
  },
  writesLeft: () => ({ [METHODS.start]: 1 }),
};

/** another.finish, then session.start: every chat ends on a new session. */
const restartAction: RunAction = {
  ...sessionSteps,
  mode: 'restart',
  methods: [METHODS.start, METHODS.finish, METHODS.read],
  verified(chat, read) {
    const doubt = contradicted(chat, read);
    if (doubt) return doubt;
    if (read.isNew) return { id: chat.chatId, s: 'verified', sid: read.sessionId };
    return {
      id: chat.chatId,
      s: 'failed',
      sid: read.sessionId,
      code: 'SESSION_NOT_CLOSED',
      msg: 'The portal accepted the close and the start, but the chat kept its session.',
    };
  },
  writesLeft: (chat) => ({ [METHODS.start]: 1, [METHODS.finish]: chat.closed ? 0 : 1 }),
};

const ACTIONS: Record<RunMode, RunAction> = { start: startAction, restart: restartAction };

export function actionOf(mode: RunMode): RunAction {
  return ACTIONS[mode];
}
