// The write lane of a run: hands pending chats to the engine's batch in windows, journals every request as sent
// (fsynced) before it leaves, keeps the deadline of writes still with the engine ahead of what the portal may run,
// and journals each answer. What it writes comes from the run's action.
import { errorText } from '../../contract/errors.ts';
import { portalAnswered } from '../bitrix24/errors.ts';
import type { BatchCommand, CommandOutcome } from '../bitrix24/types.ts';
import type { ChatChange, JournalRecord, SentRecord, StepOkRecord, WriteStep } from './journal.ts';
import type { RunCore } from './run-core.ts';
import { failure } from './run-errors.ts';
import type { ChatEntry } from './run-state.ts';

/** Run-level re-queues of a write the engine gave up on although the portal refused it before running it. */
const MAX_REQUEUES = 5;

type WriteKeys = Map<string, { chat: ChatEntry; step: WriteStep }>;

export class WriteLane {
  private readonly requeues = new Map<number, number>();

  constructor(private readonly run: RunCore) {}

  /** Sends until no chat is left to write (or the run halts or cancels). */
  async drain(): Promise<void> {
    const { run } = this;
    for (;;) {
      if (run.halted || run.cancelRequested) return;
      if (run.paused) {
        await run.untilResumed();
        continue;
      }
      const work = this.pick();
      if (work.length === 0) {
        if (!this.writesMayCome()) return;
        await run.wake.wait();
        continue;
      }
      await this.send(work);
      run.wake.notify();
    }
  }

  /** How often the deadlines of writes still with the engine are pushed ahead. */
  get extendEveryMs(): number {
    return Math.max(100, Math.round(this.run.requestLimitMs / 2));
  }

  /**
   * The engine may send a request of writes again well after `beforeSend` (QUERY_LIMIT_EXCEEDED back-off, an
   * operating-time hold), and the portal may run it for up to the request limit from then. So while writes stay
   * with the engine, their deadline in the journal is kept at least a request limit ahead of now (plus a tick of
   * slack): whenever the process dies, resume waits long enough for the last copy that may have left.
   */
  async extendInFlight(): Promise<void> {
    const { run } = this;
    const now = Date.now();
    const slack = this.extendEveryMs;
    const due: number[] = [];
    for (const chatId of run.reserved) {
      const chat = run.state.chats.get(chatId);
      if (chat?.state !== 'sent' || chat.uncertain || !chat.inFlight) continue;
      if (chat.inFlight.until < now + run.requestLimitMs + slack) due.push(chatId);
    }
    if (due.length === 0) return;
    await run.record([{ t: 'ext', at: now, until: now + run.requestLimitMs + 2 * slack, c: due }]);
  }

  private writesMayCome(): boolean {
    for (const chat of this.run.state.chats.values()) {
      if (chat.state === 'pending' || chat.state === 'sent') return true;
    }
    return false;
  }

  private pick(): ChatEntry[] {
    const { run } = this;
    const work: ChatEntry[] = [];
    for (const chat of run.state.chats.values()) {
      if (work.length >= run.windowSize) break;
      if (chat.state === 'pending' && run.state.hasReference(chat) && !run.reserved.has(chat.chatId)) {
        work.push(chat);
      }
    }
    return work;
  }

  private async send(work: ChatEntry[]): Promise<void> {
    const { run } = this;
    const byKey: WriteKeys = new Map();
    const commands: BatchCommand[] = work.map((chat) => {
      const step = run.action.nextStep(chat);
      const key = `${step[0]}${chat.chatId}`;
      byKey.set(key, { chat, step });
      run.reserved.add(chat.chatId);
      return { key, method: run.action.methodOf(step), params: { CHAT_ID: chat.chatId } };
    });
    try {
      const report = await run.env.client.batch(commands, {
        maxChunkSize: run.maxChunkSize,
        signal: run.abort.signal,
        beforeSend: (chunk) => this.beforeSend(chunk, byKey),
        onSettled: (outcomes) => run.guard(() => this.onSettled(outcomes, byKey)),
      });
      if (report.stoppedBy) run.stopFor(report.stoppedBy);
    } finally {
      for (const chat of work) run.reserved.delete(chat.chatId);
    }
  }

  private async beforeSend(chunk: readonly BatchCommand[], byKey: WriteKeys): Promise<void> {
    const { run } = this;
    run.checkSending(false);
    const at = Date.now();
    const until = at + run.requestLimitMs;
    run.state.requests++;
    const steps = new Map<WriteStep, number[]>();
    for (const command of chunk) {
      const entry = byKey.get(command.key);
      if (!entry) continue;
      const list = steps.get(entry.step) ?? [];
      list.push(entry.chat.chatId);
      steps.set(entry.step, list);
    }
    const records: SentRecord[] = [...steps].map(([step, c]) => ({
      t: 'sent',
      at,
      step,
      until,
      c,
      req: run.state.requests,
      hits: run.state.limitHits,
    }));
    // The request leaves only once this is on disk.
    await run.record(records);
    run.events.soon();
  }

  private async onSettled(outcomes: readonly CommandOutcome[], byKey: WriteKeys): Promise<void> {
    const { run } = this;
    const at = Date.now();
    const ok = new Map<WriteStep, number[]>();
    const unsent: number[] = [];
    const changes: ChatChange[] = [];
    const okFor = (step: WriteStep, chatId: number) => {
      const list = ok.get(step) ?? [];
      list.push(chatId);
      ok.set(step, list);
    };
    for (const outcome of outcomes) {
      const entry = byKey.get(outcome.key);
      if (!entry) continue;
      const { chat, step } = entry;
      if (outcome.status === 'ok') {
        okFor(step, chat.chatId);
        run.costs.add(run.action.methodOf(step), outcome.time);
        continue;
      }
      if (outcome.status === 'not-sent') {
        // After our own abort a request may have been cut mid-flight: its fate is unknown, so it stays `sent`
        // (and is read back on resume). Otherwise `not-sent` means it never left.
        if (chat.state === 'sent' && run.abort.signal.aborted) continue;
        if (chat.state === 'sent') unsent.push(chat.chatId);
        continue;
      }
      const { error } = outcome;
      switch (error.category) {
        case 'ambiguous':
          // It may have run: read it back once the portal can no longer be running it. A portal that answered (a
          // 500 envelope) is done with the request, so the read may go at once; only in memory, so that after a
          // crash resume still waits for the journalled deadline.
          chat.uncertain = true;
          if (portalAnswered(error) && chat.inFlight) chat.inFlight.until = Math.min(chat.inFlight.until, at);
          break;
        case 'retry':
        case 'wait-reset':
          // Refused before it ran; the engine gave up on it for now.
          if (this.bumpRequeue(chat.chatId)) unsent.push(chat.chatId);
          else changes.push(failure(chat.chatId, error));
          break;
        case 'reauth':
        case 'blocked':
        case 'unreachable':
          unsent.push(chat.chatId);
          run.stopFor(error);
          break;
        case 'permission':
          if (errorText(error.code)?.runWide) {
            unsent.push(chat.chatId);
            run.stopFor(error);
          } else changes.push(failure(chat.chatId, error));
          break;
        default:
          if (run.action.refusalProvesDone(step, chat)) okFor(step, chat.chatId);
          else changes.push(failure(chat.chatId, error));
      }
    }
    const records: JournalRecord[] = [];
    for (const [step, c] of ok) records.push({ t: 'ok', at, step, c } satisfies StepOkRecord);
    if (unsent.length > 0) records.push({ t: 'unsent', at, c: unsent });
    if (changes.length > 0) records.push({ t: 'chat', at, c: changes });
    await run.record(records);
    run.events.soon();
  }

  private bumpRequeue(chatId: number): boolean {
    const count = (this.requeues.get(chatId) ?? 0) + 1;
    this.requeues.set(chatId, count);
    return count <= MAX_REQUEUES;
  }
}
