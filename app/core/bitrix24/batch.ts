// Bulk commands through `batch`: chunks of at most 50 named-key commands with halt=0, several chunks in flight
// while the request bucket and the operating budgets have room, and one outcome per command. Only commands
// that provably did not run are sent again; a request with an unknown fate is settled by reading state. The queue
// and chunk sizing are in batch-queue.ts, what an answer means for each command in batch-answers.ts.

import { asBitrix24Error, type BatchCall, settleAnswer, settleFailure } from './batch-answers.ts';
import type { BatchEngine } from './batch-engine.ts';
import { BatchQueue, type Pending } from './batch-queue.ts';
import { abortError } from './clock.ts';
import { type BatchSections, parseBatchSections } from './envelope.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import type { BatchCommand, BatchOptions, BatchReport, CommandOutcome } from './types.ts';

export { BATCH_MAX_COMMANDS } from './batch-queue.ts';

/** Batch requests in flight at once (the bucket and the operating budgets usually limit it sooner). */
const MAX_IN_FLIGHT = 12;

/** PHP `http_build_query` for one `cmd` entry: nested maps and lists in bracket syntax. */
export function toPhpQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) add(`${key}[${index}]`, item);
    } else if (typeof value === 'object') {
      for (const [inner, item] of Object.entries(value)) add(`${key}[${inner}]`, item);
    } else if (typeof value === 'boolean') {
      parts.push(`${encodeURIComponent(key)}=${value ? 1 : 0}`);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return parts.join('&');
}

function validate(commands: readonly BatchCommand[]): void {
  const seen = new Set<string>();
  for (const command of commands) {
    // Numeric keys could make PHP answer with lists instead of maps and lose the key → command link.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(command.key)) {
      throw new TypeError(`Batch key "${command.key.slice(0, 40)}" must be a name (letters, digits, _), not a number.`);
    }
    if (seen.has(command.key)) throw new TypeError(`Batch key "${command.key}" is used twice.`);
    seen.add(command.key);
  }
}

export async function runBatch(
  engine: BatchEngine,
  commands: readonly BatchCommand[],
  options: BatchOptions,
): Promise<BatchReport> {
  validate(commands);
  const { clock, tracker, bucket } = engine;
  const signal = options.signal;
  const queue = new BatchQueue(engine, commands, options);
  const outcomes = new Map<string, CommandOutcome>();
  /** Requests in flight, keyed by a token of their own (the promise cannot name itself). */
  const inFlight = new Map<object, Promise<void>>();
  let stoppedBy: Bitrix24Error | undefined;
  let requests = 0;

  const settle = async (list: CommandOutcome[]): Promise<void> => {
    for (const outcome of list) outcomes.set(outcome.key, outcome);
    if (list.length > 0 && options.onSettled) await options.onSettled(list);
  };

  const stop = (error: Bitrix24Error): void => {
    if (!stoppedBy) {
      stoppedBy = error;
      engine.log(`batch stopped: ${error.code}`);
    }
  };
  const call: BatchCall = { engine, options, queue, stop };

  const launch = (items: Pending[]): void => {
    const perMethod = new Map<string, number>();
    for (const item of items) perMethod.set(item.command.method, (perMethod.get(item.command.method) ?? 0) + 1);
    for (const [method, count] of perMethod) tracker.begin(method, count);
    const id = {};
    const task = (async () => {
      const settled: CommandOutcome[] = [];
      try {
        const chunk = items.map((item) => item.command);
        try {
          await options.beforeSend?.(chunk);
        } catch (error) {
          bucket.refund();
          const failure = new Bitrix24Error({
            code: CLIENT_CODES.aborted,
            message: `The run stopped before sending: ${engine.redact(error instanceof Error ? error.message : String(error))}`,
          });
          stop(failure);
          for (const item of items) settled.push({ key: item.command.key, status: 'not-sent', reason: failure });
          return;
        }
        const cmd: Record<string, string> = {};
        for (const command of chunk) {
          const query = toPhpQuery(command.params);
          cmd[command.key] = query === '' ? command.method : `${command.method}?${query}`;
        }
        requests += 1;
        const started = clock.now();
        let sections: BatchSections;
        try {
          const sent = await engine.send('batch', { halt: 0, cmd }, { signal, slotTaken: true });
          sections = parseBatchSections(sent.envelope.result);
          queue.adapt(sections, sent.elapsedMs, items.length);
        } catch (error) {
          const failure = asBitrix24Error(error, engine.redact);
          if (failure.category === 'ambiguous') queue.adapt(null, clock.now() - started, items.length);
          await settleFailure(call, items, failure, settled);
          return;
        }
        await settleAnswer(call, items, sections, settled);
      } finally {
        for (const [method, count] of perMethod) tracker.end(method, count);
        try {
          await settle(settled);
        } catch (error) {
          // The caller could not take the outcomes (e.g. its journal failed): stop before sending more.
          stop(
            new Bitrix24Error({
              code: CLIENT_CODES.aborted,
              message: `The run stopped: ${engine.redact(error instanceof Error ? error.message : String(error))}`,
            }),
          );
        } finally {
          inFlight.delete(id);
          tracker.poke();
        }
      }
    })();
    inFlight.set(id, task);
  };

  try {
    while (!stoppedBy) {
      if (signal?.aborted) {
        stop(abortError());
        break;
      }
      const blocked = engine.blockedError();
      if (blocked) {
        stop(blocked);
        break;
      }
      if (queue.pending.length === 0 && inFlight.size === 0) break;
      const limit = queue.calibrated ? MAX_IN_FLIGHT : 1;
      const picked = queue.pending.length > 0 && inFlight.size < limit ? queue.plan() : [];
      if (picked.length === 0) {
        await tracker.nextChange(queue.nextWake(), signal);
        continue;
      }
      await bucket.acquire(signal);
      // Waiting for the bucket may have changed the budgets and the queue: choose again.
      const chosen = stoppedBy ? [] : queue.plan();
      if (chosen.length === 0) {
        bucket.refund();
        continue;
      }
      queue.take(chosen);
      launch(chosen);
    }
  } catch (error) {
    stop(asBitrix24Error(error, engine.redact));
  }
  while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
  const reason = stoppedBy ?? abortError();
  const leftover: CommandOutcome[] = [];
  for (const item of queue.pending) {
    if (!outcomes.has(item.command.key)) leftover.push({ key: item.command.key, status: 'not-sent', reason });
  }
  queue.pending = [];
  await settle(leftover);
  const report: BatchReport = { outcomes: new Map(commands.map((c) => [c.key, outcomes.get(c.key)!])), requests };
  if (stoppedBy) report.stoppedBy = stoppedBy;
  return report;
}
