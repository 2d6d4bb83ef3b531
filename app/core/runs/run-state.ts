// The state of a bulk run in memory, rebuilt by replaying its journal: every chat's state, what it waits for,
// and the run's counters. The runner changes it only through the same records it journals.
import type { ChatState, RunCounts, RunStatus } from '../../contract/runs.ts';
import { CHAT_STATES } from '../../contract/runs.ts';
import type { ChatChange, JournalRecord, RunHeader, RunReason, WriteStep } from './journal.ts';

export interface ChatEntry {
  chatId: number;
  state: ChatState;
  /** Session id before the run touched the chat; null until read. */
  baseline: number | null;
  /** Restart mode: the first step (another.finish) is done. Always true in start mode. */
  closed: boolean;
  /** The write in flight (state `sent`): which step and until when the portal may still run it. */
  inFlight: { step: WriteStep; until: number } | null;
  /** The in-flight write's fate is unknown (ambiguous answer, or the process died): read before sending again. */
  uncertain: boolean;
  /** A finish is being sent again after an unknown fate. */
  uncertainFinish: boolean;
  /** When the run last sent this chat's session.start (journal time), or null: a session older than it is not ours. */
  startSentAt: number | null;
  /** The session the run confirmed. */
  sessionId: number | null;
  code: string | null;
  message: string | null;
}

export class RunState {
  readonly header: RunHeader;
  readonly chats = new Map<number, ChatEntry>();
  status: RunStatus = 'running';
  reason: RunReason | null = null;
  requests = 0;
  limitHits = 0;
  /** Active time of earlier executions (processes) of this run. */
  activeMsBefore = 0;
  /** Time of the last record, for runs read from disk. */
  lastAt: number;
  /**
   * The portal's highest session id when the run began (see WatermarkRecord): undefined until read, null where the
   * portal has no Session.list (then each chat's baseline is read instead).
   */
  watermark: number | null | undefined = undefined;
  /** When the watermark was read (our clock): no session the run opens was created before it. */
  watermarkAt: number | null = null;
  /** A write has been sent at some point: from then on a watermark read would count the run's own sessions. */
  writesSent = false;

  constructor(header: RunHeader) {
    this.header = header;
    this.lastAt = header.createdAt;
    const closed = header.mode === 'start';
    for (const chatId of header.chatIds) {
      this.chats.set(chatId, {
        chatId,
        state: 'pending',
        baseline: null,
        closed,
        inFlight: null,
        uncertain: false,
        uncertainFinish: false,
        startSentAt: null,
        sessionId: null,
        code: null,
        message: null,
      });
    }
  }

  static replay(records: readonly JournalRecord[]): RunState {
    const [header, ...rest] = records;
    if (header?.t !== 'header') throw new Error('A run journal starts with its header.');
    const state = new RunState(header);
    let executionMs = 0;
    for (const record of rest) {
      state.apply(record);
      if (record.t === 'status') {
        // activeMs restarts at 0 in each execution: sum the last value of each.
        if (record.activeMs < executionMs) state.activeMsBefore += executionMs;
        executionMs = record.activeMs;
      }
    }
    state.activeMsBefore += executionMs;
    // After a crash nobody knows how the in-flight writes ended.
    for (const chat of state.chats.values()) if (chat.state === 'sent') chat.uncertain = true;
    return state;
  }

  apply(record: JournalRecord): void {
    if (record.t !== 'header') this.lastAt = Math.max(this.lastAt, record.at);
    switch (record.t) {
      case 'header':
        return;
      case 'base':
        for (const [chatId, sessionId] of record.c) {
          const chat = this.chats.get(chatId);
          if (chat && chat.baseline === null) chat.baseline = sessionId;
        }
        return;
      case 'mark':
        if (this.watermark === undefined) {
          this.watermark = record.w;
          this.watermarkAt = record.at;
        }
        return;
      case 'sent':
        this.writesSent = true;
        for (const chatId of record.c) {
          const chat = this.chats.get(chatId);
          if (!chat) continue;
          chat.state = 'sent';
          chat.inFlight = { step: record.step, until: record.until };
          chat.uncertain = false;
          if (record.step === 'start') chat.startSentAt = record.at;
        }
        this.requests = Math.max(this.requests, record.req);
        this.limitHits = Math.max(this.limitHits, record.hits);
        return;
      case 'ext':
        // Only lengthens the wait of a write still in flight; written after its answer, it changes nothing.
        for (const chatId of record.c) {
          const chat = this.chats.get(chatId);
          if (chat?.state === 'sent' && chat.inFlight)
            chat.inFlight.until = Math.max(chat.inFlight.until, record.until);
        }
        return;
      case 'unsent':
        for (const chatId of record.c) {
          const chat = this.chats.get(chatId);
          if (chat?.state !== 'sent') continue;
          chat.state = 'pending';
          chat.inFlight = null;
          chat.uncertain = false;
        }
        return;
      case 'ok':
        for (const chatId of record.c) {
          const chat = this.chats.get(chatId);
          if (!chat) continue;
          chat.inFlight = null;
          chat.uncertain = false;
          if (record.step === 'finish') {
            chat.closed = true;
            chat.uncertainFinish = false;
            chat.state = 'pending';
          } else chat.state = 'started';
        }
        return;
      case 'chat':
        for (const change of record.c) this.change(change);
        return;
      case 'status':
        this.status = record.status;
        this.reason = record.reason;
        this.requests = Math.max(this.requests, record.req);
        this.limitHits = Math.max(this.limitHits, record.hits);
        return;
    }
  }

  private change(change: ChatChange): void {
    const chat = this.chats.get(change.id);
    if (!chat) return;
    chat.state = change.s;
    if (change.s !== 'sent') {
      chat.inFlight = null;
      chat.uncertain = false;
    }
    if (change.closed !== undefined) chat.closed = change.closed;
    if (change.uf !== undefined) chat.uncertainFinish = change.uf;
    if (change.sid !== undefined) chat.sessionId = change.sid;
    chat.code = change.code ?? (change.s === 'failed' ? chat.code : null);
    chat.message = change.msg ?? (change.s === 'failed' ? chat.message : null);
  }

  /** The run knows what the chat's session was before it wrote: the watermark, or the chat's own baseline. */
  hasReference(chat: ChatEntry): boolean {
    return typeof this.watermark === 'number' || chat.baseline !== null;
  }

  /**
   * The chat's session was opened since the run began. A visitor opening a new session on the chat during the run
   * makes it look started too; the per-chat baseline has the same window (between its read and the write).
   */
  isNewSession(chat: ChatEntry, sessionId: number): boolean {
    if (typeof this.watermark === 'number') return sessionId > this.watermark;
    return chat.baseline !== null && sessionId !== chat.baseline;
  }

  counts(): RunCounts {
    const counts = Object.fromEntries(CHAT_STATES.map((state) => [state, 0])) as RunCounts;
    for (const chat of this.chats.values()) counts[chat.state]++;
    return counts;
  }

  /** Restart: chats closed by the run and not started again yet. */
  closedWaiting(): number {
    if (this.header.mode !== 'restart') return 0;
    let waiting = 0;
    for (const chat of this.chats.values()) {
      if (chat.closed && (chat.state === 'pending' || (chat.state === 'sent' && chat.inFlight?.step === 'start')))
        waiting++;
    }
    return waiting;
  }

  /** Nothing is left to send, read or check. */
  get settled(): boolean {
    for (const chat of this.chats.values()) {
      if (chat.state === 'pending' || chat.state === 'sent' || chat.state === 'started') return false;
    }
    return true;
  }
}

/** Final states: the chat needs nothing more from this run. */
export function isFinal(state: ChatState): boolean {
  return state === 'verified' || state === 'already-active' || state === 'failed' || state === 'skipped';
}

/** A run that can still be resumed: neither finished nor cancelled. */
export function isUnfinished(status: RunStatus): boolean {
  return status !== 'finished' && status !== 'cancelled';
}
