// The read lane of a run: the watermark read before any write, the wait and read-back of writes whose fate is
// unknown, the reads that confirm each start, and (where the portal has no Session.list) each chat's session read
// before its write. What a read-back means for a chat comes from the run's action.
import { type Bitrix24Error, CLIENT_CODES, isBitrix24Error } from '../bitrix24/errors.ts';
import type { BatchCommand, Bitrix24Client, CommandOutcome } from '../bitrix24/types.ts';
import { parseDialog } from '../chats/dialog.ts';
import { asInt, asList, asRecord, latestIso } from '../chats/lenient.ts';
import { keepLatest, readSessionQueries, type SessionItem } from '../chats/session-list.ts';
import { METHODS } from './estimate.ts';
import type { BaselineRecord, ChatChange, JournalRecord, RunReason, WatermarkRecord } from './journal.ts';
import type { RunCore } from './run-core.ts';
import { clockTime, failure, isRunWide } from './run-errors.ts';
import type { ChatEntry } from './run-state.ts';
import { recordSessionCheck } from './run-store.ts';
import type { RunEnvironment } from './run-types.ts';

/** Failed reads of one chat before the run stops asking. */
const MAX_READ_FAILURES = 5;
/** Sessions read for the watermark: created in the same second, the newest ones come back in any order. */
const WATERMARK_PAGE = 50;
/** Session.list refusals meaning "not for this portal or user": the run reads each chat's session instead. */
const NO_SESSION_LIST = new Set([
  'ERROR_METHOD_NOT_FOUND',
  'TARIFF_RESTRICTION',
  'INVALID_FILTER',
  'ACCESS_DENIED',
  'ACCESS_ERROR',
]);

/**
 * Started chats confirmed together by one Session.list pass (200 a page, 50 pages a request): a pass waits for
 * this many, or for the last write, so that it costs far less than a dialog.get per chat.
 */
const LIST_VERIFY_BATCH = 10_000;
/** …or for this long after the oldest waiting start was sent, so that progress shows confirmations as it goes. */
const LIST_VERIFY_WAIT_MS = 60_000;
/** Sessions created this long before the watermark was read are asked for too: the portal's clock may lag ours. */
const LIST_CLOCK_MARGIN_MS = 10 * 60_000;
const SESSION_PAGE = 200;
/** Sessions others may have opened since the last pass, beside the run's own. */
const LIST_ROOM = 50;

/**
 * Reads the portal's highest session id, once per run and before any write: a session the run opens gets a larger
 * id (ids are auto-increment), so one number replaces a read of every chat before its write. The newest page by
 * creation date is enough; its largest id is taken since sessions of the same second come back in any order.
 * Where the portal has no Session.list for this user the mark says why (each chat is read first instead); a refusal
 * that would stop every chat (credentials, an unreachable or blocked portal) is thrown.
 */
export async function readWatermark(client: Bitrix24Client, signal?: AbortSignal): Promise<WatermarkRecord> {
  try {
    const { result } = await client.call(
      METHODS.sessionList,
      { order: 'dateCreate', orderDirection: 'desc', limit: WATERMARK_PAGE },
      { idempotent: true, ...(signal ? { signal } : {}) },
    );
    let w = 0;
    for (const session of asList(asRecord(result).sessions)) w = Math.max(w, asInt(asRecord(session).id));
    return { t: 'mark', at: Date.now(), w };
  } catch (error) {
    if (!isBitrix24Error(error)) throw error;
    const code = error.code.toUpperCase();
    if (error.code === CLIENT_CODES.aborted || (!NO_SESSION_LIST.has(code) && isRunWide(error))) throw error;
    // No Session.list here, or it failed for this call only: reading each chat first is slower but as exact.
    return { t: 'mark', at: Date.now(), w: null, why: code };
  }
}

/** Logs how the run tells new sessions, and remembers it for the next preview on this portal. */
export async function noteSessionCheck(
  env: RunEnvironment,
  runId: string,
  portal: string,
  mark: WatermarkRecord,
): Promise<void> {
  env.log?.(
    mark.w === null
      ? `bulk run ${runId}: reading each chat's session before its write (Session.list: ${mark.why ?? 'unavailable'})`
      : `bulk run ${runId}: new sessions are those above session id ${mark.w}`,
  );
  await recordSessionCheck(env.runsDir, portal, mark.w === null ? 'per-chat' : 'watermark').catch((error) =>
    env.log?.(`bulk run ${runId}: session check not remembered (${String(error)})`),
  );
}

type ReadPurpose = 'baseline' | 'verify' | 'reconcile';
type ReadWork = Array<{ chat: ChatEntry; purpose: ReadPurpose }>;
type ReadKeys = Map<string, { chat: ChatEntry; purpose: ReadPurpose }>;

export class ReadLane {
  private readonly failures = new Map<number, number>();
  private readonly notBefore = new Map<number, number>();
  /** Started chats whose confirmation failed too often: they stay `started`. */
  readonly gaveUpVerify = new Set<number>();
  /** Waiting for requests the portal may still be running (resume after a crash). */
  inFlightHold: RunReason | null = null;
  /**
   * Confirming starts through Session.list: on while the run has a watermark and the list answers. Chats the list
   * does not show (lines outside the user's reports, a start that only joined an open session) are read one by one.
   */
  private listVerify = true;
  /** The newest creation time a pass has seen (the portal's clock): the next pass asks from there. */
  private listCursor: string | null = null;
  /** Sessions above the watermark the passes have seen, per chat of the run (a write in flight may be listed). */
  private readonly listed = new Map<number, SessionItem>();
  private readonly listMissed = new Set<number>();

  constructor(private readonly run: RunCore) {}

  /**
   * A run whose watermark was not read at its creation (an older console's run, or the portal was blocked then)
   * reads it here, before any write; one whose writes began without it reads each chat instead.
   */
  async readWatermark(): Promise<void> {
    const { run } = this;
    if (run.state.writesSent) {
      // A run written before watermarks (or whose writes began without one): reading now would count its own sessions.
      await run.record([{ t: 'mark', at: Date.now(), w: null, why: 'OLD_JOURNAL' }]);
      return;
    }
    while (run.paused && !run.halted && !run.cancelRequested) await run.untilResumed();
    if (run.halted || run.cancelRequested) return;
    let mark: WatermarkRecord;
    try {
      run.state.requests++;
      run.events.soon();
      mark = await readWatermark(run.env.client, run.abort.signal);
    } catch (error) {
      if (!isBitrix24Error(error)) throw error;
      if (error.code !== CLIENT_CODES.aborted) run.stopFor(error);
      return;
    }
    await run.record([mark]);
    await noteSessionCheck(run.env, run.runId, run.state.header.portal, mark);
    run.events.soon();
  }

  /** Resume after a crash: wait until the portal cannot still be running what was sent, then read. */
  async reconcileInFlight(): Promise<void> {
    const { run } = this;
    const inFlight = [...run.state.chats.values()].filter((chat) => chat.state === 'sent');
    if (inFlight.length === 0) return;
    const until = Math.max(...inFlight.map((chat) => chat.inFlight?.until ?? 0));
    while (!run.halted && Date.now() < until) {
      this.inFlightHold = {
        code: 'IN_FLIGHT',
        message: `Waiting until ${clockTime(until)}: the portal may still be running ${inFlight.length} writes sent before the run stopped.`,
        until,
      };
      run.events.now();
      await run.wake.wait(until - Date.now());
    }
    this.inFlightHold = null;
    await this.drain('reconcile');
  }

  /** Reads until nothing is left to read (only the writes of unknown fate with `reconcile`). */
  async drain(only?: 'reconcile'): Promise<void> {
    const { run } = this;
    for (;;) {
      if (run.halted) return;
      if (run.paused && !run.cancelRequested) {
        await run.untilResumed();
        continue;
      }
      const listAt = only ? null : this.listPassAt();
      if (listAt !== null && listAt <= Date.now()) {
        await this.listPass();
        run.wake.notify();
        continue;
      }
      const { work, nextAt } = this.pick(only);
      if (work.length === 0) {
        if (this.done(only)) return;
        const at = nextAt === null ? listAt : listAt === null ? nextAt : Math.min(nextAt, listAt);
        await run.wake.wait(at === null ? undefined : at - Date.now());
        continue;
      }
      await this.send(work);
      run.wake.notify();
    }
  }

  private done(only?: 'reconcile'): boolean {
    for (const chat of this.run.state.chats.values()) {
      if (chat.state === 'sent') return false;
      if (only) continue;
      if (chat.state === 'started' && !this.gaveUpVerify.has(chat.chatId)) return false;
      if (chat.state === 'pending' && !this.run.cancelRequested) return false;
    }
    return true;
  }

  private pick(only?: 'reconcile'): { work: ReadWork; nextAt: number | null } {
    const { run } = this;
    const { state, windowSize } = run;
    const now = Date.now();
    const work: ReadWork = [];
    let nextAt: number | null = null;
    const later = (at: number) => {
      nextAt = nextAt === null ? at : Math.min(nextAt, at);
    };
    const ready = (chat: ChatEntry): boolean => {
      if (run.reserved.has(chat.chatId)) return false;
      const wait = this.notBefore.get(chat.chatId) ?? 0;
      if (wait > now) {
        later(wait);
        return false;
      }
      return true;
    };
    // First what blocks progress: writes of unknown fate, then confirmations, then baselines ahead of the writes.
    for (const chat of state.chats.values()) {
      if (work.length >= windowSize) break;
      if (chat.state !== 'sent' || !chat.uncertain || !ready(chat)) continue;
      const until = chat.inFlight?.until ?? 0;
      if (until > now) later(until);
      else work.push({ chat, purpose: 'reconcile' });
    }
    if (only) return { work, nextAt };
    const byList = this.listVerifying();
    for (const chat of state.chats.values()) {
      if (work.length >= windowSize) break;
      if (chat.state !== 'started' || this.gaveUpVerify.has(chat.chatId)) continue;
      if (byList && !this.listMissed.has(chat.chatId)) continue;
      if (ready(chat)) work.push({ chat, purpose: 'verify' });
    }
    if (run.cancelRequested || state.watermark !== null) return { work, nextAt };
    let backlog = 0;
    for (const chat of state.chats.values()) {
      if (chat.state === 'pending' && state.hasReference(chat)) backlog++;
    }
    const lookahead = windowSize * 2;
    for (const chat of state.chats.values()) {
      if (work.length >= windowSize || backlog >= lookahead) break;
      if (chat.state === 'pending' && !state.hasReference(chat) && ready(chat)) {
        work.push({ chat, purpose: 'baseline' });
        backlog++;
      }
    }
    return { work, nextAt };
  }

  private listVerifying(): boolean {
    return this.listVerify && typeof this.run.state.watermark === 'number' && this.run.state.watermarkAt !== null;
  }

  /** Started chats waiting for a Session.list pass. */
  private awaitingList(): ChatEntry[] {
    const waiting: ChatEntry[] = [];
    for (const chat of this.run.state.chats.values()) {
      if (chat.state !== 'started' || this.gaveUpVerify.has(chat.chatId) || this.listMissed.has(chat.chatId)) continue;
      if (!this.run.reserved.has(chat.chatId)) waiting.push(chat);
    }
    return waiting;
  }

  /**
   * When the next Session.list pass is due (null: none is): at once when enough starts wait or no write is left
   * that could add to them, else once the oldest waiting start has waited a while.
   */
  private listPassAt(): number | null {
    if (!this.listVerifying()) return null;
    const waiting = this.awaitingList();
    if (waiting.length === 0) return null;
    const now = Date.now();
    if (waiting.length >= LIST_VERIFY_BATCH || this.run.cancelRequested) return now;
    let writesLeft = false;
    for (const chat of this.run.state.chats.values()) {
      if (chat.state === 'pending' || chat.state === 'sent') writesLeft = true;
    }
    if (!writesLeft) return now;
    let oldest = now;
    for (const chat of waiting) oldest = Math.min(oldest, chat.startSentAt ?? now);
    return oldest + LIST_VERIFY_WAIT_MS;
  }

  /**
   * Confirms the waiting starts from the sessions created since the run began (or since the last pass): a chat with
   * a session above the watermark is verified by it; one the list does not show is read with dialog.get. Every
   * waiting chat had its start answered before the pass began, so its session, if any, is already listed.
   */
  private async listPass(): Promise<void> {
    const { run } = this;
    const waiting = this.awaitingList();
    const watermark = run.state.watermark as number;
    const from = this.listCursor ?? new Date((run.state.watermarkAt as number) - LIST_CLOCK_MARGIN_MS).toISOString();
    for (const chat of waiting) run.reserved.add(chat.chatId);
    let sessions: SessionItem[];
    try {
      // Each waiting chat, and each one whose start is on its way, most likely has one new session: ask for that
      // many pages at once, with room for sessions others opened meanwhile.
      let expected = waiting.length;
      for (const chat of run.state.chats.values())
        if (chat.state === 'sent' && !this.listed.has(chat.chatId)) expected++;
      const pages = Math.ceil((expected + LIST_ROOM) / SESSION_PAGE);
      const { results } = await readSessionQueries(
        run.env.client,
        [{ key: 'v', filter: { dateCreateFrom: from }, pages }],
        {
          signal: run.abort.signal,
          beforeSend: () => {
            run.checkSending(true);
            run.state.requests++;
            run.events.soon();
          },
        },
      );
      sessions = results.get('v')?.sessions ?? [];
    } catch (error) {
      if (!isBitrix24Error(error)) throw error;
      if (isRunWide(error)) run.stopFor(error);
      else {
        // The list failed for this read: the chats are confirmed one by one, as without Session.list.
        this.listVerify = false;
        run.env.log?.(`bulk run ${run.runId}: confirming starts with dialog.get (Session.list: ${error.code})`);
      }
      return;
    } finally {
      for (const chat of waiting) run.reserved.delete(chat.chatId);
    }
    for (const session of sessions) {
      if (session.id <= watermark || !run.state.chats.has(session.chatId)) continue;
      keepLatest(this.listed, session);
      this.listCursor = latestIso(this.listCursor, session.dateCreate);
    }
    const changes: ChatChange[] = [];
    for (const chat of waiting) {
      const session = this.listed.get(chat.chatId);
      if (chat.state !== 'started') continue;
      if (!session) {
        this.listMissed.add(chat.chatId);
        continue;
      }
      const createdAt = session.dateCreate === null ? null : Date.parse(session.dateCreate);
      changes.push(run.action.verified(chat, { sessionId: session.id, isNew: true, createdAt }));
    }
    if (changes.length > 0) await run.record([{ t: 'chat', at: Date.now(), c: changes }]);
    run.events.soon();
  }

  private async send(work: ReadWork): Promise<void> {
    const { run } = this;
    const byKey: ReadKeys = new Map();
    const commands: BatchCommand[] = work.map(({ chat, purpose }) => {
      const key = `${purpose[0]}${chat.chatId}`;
      byKey.set(key, { chat, purpose });
      run.reserved.add(chat.chatId);
      return { key, method: METHODS.read, params: { CHAT_ID: chat.chatId } };
    });
    try {
      const report = await run.env.client.batch(commands, {
        idempotent: true,
        maxChunkSize: 50,
        signal: run.abort.signal,
        beforeSend: () => {
          run.checkSending(true);
          run.state.requests++;
          run.events.soon();
        },
        onSettled: (outcomes) => run.guard(() => this.onSettled(outcomes, byKey)),
      });
      if (report.stoppedBy) run.stopFor(report.stoppedBy);
    } finally {
      for (const { chat } of work) run.reserved.delete(chat.chatId);
    }
  }

  private async onSettled(outcomes: readonly CommandOutcome[], byKey: ReadKeys): Promise<void> {
    const { run } = this;
    const at = Date.now();
    const baseline: BaselineRecord = { t: 'base', at, c: [] };
    const changes: ChatChange[] = [];
    for (const outcome of outcomes) {
      const entry = byKey.get(outcome.key);
      if (!entry || outcome.status === 'not-sent') continue;
      const { chat, purpose } = entry;
      if (outcome.status === 'failed') {
        const change = this.readFailed(chat, purpose, outcome.error);
        if (change) changes.push(change);
        continue;
      }
      run.costs.add(METHODS.read, outcome.time);
      this.failures.delete(chat.chatId);
      const dialog = parseDialog(outcome.result);
      const { sessionId } = dialog;
      const createdAt = dialog.sessionCreatedAt === null ? null : Date.parse(dialog.sessionCreatedAt);
      const read = { sessionId, isNew: run.state.isNewSession(chat, sessionId), createdAt };
      if (purpose === 'baseline') {
        if (chat.state === 'pending' && chat.baseline === null) baseline.c.push([chat.chatId, sessionId]);
      } else if (purpose === 'verify') {
        if (chat.state === 'started') changes.push(run.action.verified(chat, read));
      } else if (chat.state === 'sent') changes.push(run.action.reconciled(chat, read));
    }
    const records: JournalRecord[] = [];
    if (baseline.c.length > 0) records.push(baseline);
    if (changes.length > 0) records.push({ t: 'chat', at, c: changes });
    await run.record(records);
    run.events.soon();
  }

  /** A read that failed: stop the run, give up on the chat, or try again a little later. */
  private readFailed(chat: ChatEntry, purpose: ReadPurpose, error: Bitrix24Error): ChatChange | null {
    if (isRunWide(error)) {
      this.run.stopFor(error);
      return null;
    }
    const count = (this.failures.get(chat.chatId) ?? 0) + 1;
    this.failures.set(chat.chatId, count);
    const definite = error.category === 'bad-input' || error.category === 'permission';
    if (purpose === 'baseline' && (definite || count >= MAX_READ_FAILURES)) {
      // Without its session id the chat could not be checked afterwards: do not touch it.
      return failure(chat.chatId, error);
    }
    if (count >= MAX_READ_FAILURES) {
      if (purpose === 'verify') {
        this.gaveUpVerify.add(chat.chatId);
        return {
          id: chat.chatId,
          s: 'started',
          code: 'NOT_VERIFIED',
          msg: `The start was accepted but could not be confirmed: ${error.message}`,
        };
      }
      return {
        id: chat.chatId,
        s: 'failed',
        code: 'UNCONFIRMED',
        msg: `A write was sent but whether it ran could not be read back (${error.message}). Check the chat.`,
      };
    }
    this.notBefore.set(chat.chatId, Date.now() + Math.min(30_000, 500 * 2 ** count));
    return null;
  }
}
