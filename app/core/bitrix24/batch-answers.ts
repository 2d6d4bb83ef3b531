// What one batch request's answer (or failure) means for each of its commands: done, failed, sent again later, or
// read back where its fate is unknown. Only commands that provably did not run are sent again.
import { type BatchEngine, backoffMs } from './batch-engine.ts';
import type { BatchQueue, Pending } from './batch-queue.ts';
import type { BatchSections } from './envelope.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import type { BatchOptions, CommandOutcome, TimeInfo } from './types.ts';

/** Re-sends of an idempotent chunk after an ambiguous failure. */
const MAX_AMBIGUOUS_RESENDS = 3;

/** One batch call's state that answers change. */
export interface BatchCall {
  engine: BatchEngine;
  options: BatchOptions;
  queue: BatchQueue;
  /** Stops sending further requests; the first reason wins. */
  stop(error: Bitrix24Error): void;
}

export function asBitrix24Error(error: unknown, redactText: (text: string) => string): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Bitrix24Error({
    code: CLIENT_CODES.invalidResponse,
    message: `The batch request failed unexpectedly: ${redactText(message)}`,
  });
}

/** The portal answered: each command ran, failed, or was cut off before it ran. */
export async function settleAnswer(
  call: BatchCall,
  items: Pending[],
  sections: BatchSections,
  settled: CommandOutcome[],
): Promise<void> {
  const { engine, queue, options } = call;
  const { tracker, clock } = engine;
  const entries: Array<{ method: string; time: TimeInfo | undefined }> = [];
  const refusedMethods = new Map<string, TimeInfo | undefined>();
  const notRun: Pending[] = [];
  const limited: Pending[] = [];
  const singles: Pending[] = [];
  let lengthCap: number | null = null;
  let index = 0;
  for (const item of items) {
    index += 1;
    const { key, method } = item.command;
    if (Object.hasOwn(sections.result, key)) {
      const time = sections.resultTime[key];
      entries.push({ method, time });
      settled.push({ key, status: 'ok', result: sections.result[key], ...(time ? { time } : {}) });
      continue;
    }
    const failure = sections.resultError[key];
    if (!failure) {
      // In neither section: it never ran (halt, or cut off past the portal's cap).
      notRun.push(item);
      continue;
    }
    const error = new Bitrix24Error({
      code: failure.code,
      method,
      ...(failure.description === undefined ? {} : { description: engine.redact(failure.description) }),
    });
    switch (failure.code.toUpperCase()) {
      case 'OPERATION_TIME_LIMIT':
        refusedMethods.set(method, sections.resultTime[key]);
        item.lastError = error;
        notRun.push(item);
        break;
      case 'QUERY_LIMIT_EXCEEDED':
        limited.push(item);
        item.lastError = error;
        break;
      case 'ERROR_BATCH_LENGTH_EXCEEDED':
        lengthCap = lengthCap === null ? index - 1 : Math.min(lengthCap, index - 1);
        notRun.push(item);
        item.lastError = error;
        break;
      case 'ERROR_BATCH_METHOD_NOT_ALLOWED':
        singles.push(item);
        break;
      default:
        settled.push({ key, status: 'failed', error });
    }
  }
  // Levels first, so a hold starts from the newest reset time this answer carried.
  tracker.observeBatch(entries);
  for (const [method, hint] of refusedMethods) {
    engine.monitor.hit('OPERATION_TIME_LIMIT', method);
    tracker.refused(method, hint);
  }
  if (lengthCap !== null) queue.capChunk(lengthCap);
  if (notRun.length > 0) {
    const byCode = notRun[0]?.lastError ?? new Bitrix24Error({ code: 'ERROR_BATCH_LENGTH_EXCEEDED' });
    queue.requeue(notRun, byCode, settled);
  }
  if (limited.length > 0) {
    engine.monitor.hit('QUERY_LIMIT_EXCEEDED', 'batch');
    const first = limited[0];
    queue.requeue(
      limited,
      first?.lastError ?? new Bitrix24Error({ code: 'QUERY_LIMIT_EXCEEDED' }),
      settled,
      clock.now() + backoffMs(first?.attempts ?? 1, 1_000),
    );
  }
  for (const item of singles) {
    // Not allowed inside batch: send it on its own.
    const { key, method, params } = item.command;
    try {
      const single = await engine.call(method, params, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.idempotent ? { idempotent: true } : {}),
      });
      settled.push({ key, status: 'ok', result: single.result, ...(single.time ? { time: single.time } : {}) });
    } catch (error) {
      const failure = asBitrix24Error(error, engine.redact);
      if (engine.neverRan(failure) && (failure.category === 'blocked' || failure.category === 'reauth')) {
        call.stop(failure);
        settled.push({ key, status: 'not-sent', reason: failure });
      } else {
        settled.push({ key, status: 'failed', error: failure });
      }
    }
  }
}

/** The request failed as a whole: every command shares its fate. */
export async function settleFailure(
  call: BatchCall,
  items: Pending[],
  error: Bitrix24Error,
  settled: CommandOutcome[],
): Promise<void> {
  const { engine, queue } = call;
  const neverRan = engine.neverRan(error);
  switch (error.category) {
    case 'ambiguous':
      await resolveAmbiguous(call, items, error, settled);
      return;
    case 'blocked':
    case 'reauth':
    case 'unreachable':
      call.stop(error);
      for (const item of items) {
        // Refused by our own fail-fast or never connected: it did not reach the portal. A portal's refusal
        // reached it but ran nothing; it is reported as failed with the portal's reason.
        const reachedPortal = !neverRan || (error.status !== undefined && error.category !== 'unreachable');
        settled.push(
          reachedPortal
            ? { key: item.command.key, status: 'failed', error }
            : { key: item.command.key, status: 'not-sent', reason: error },
        );
      }
      return;
    case 'retry':
    case 'wait-reset':
      if (error.code === CLIENT_CODES.aborted) {
        call.stop(error);
        for (const item of items) settled.push({ key: item.command.key, status: 'not-sent', reason: error });
        return;
      }
      // The portal kept refusing the whole request before running it: try these commands again later.
      queue.requeue(items, error, settled, engine.clock.now() + backoffMs(items[0]?.attempts ?? 1, 1_000));
      return;
    default:
      // Permission or bad input for the whole request: sending it again changes nothing.
      for (const item of items) settled.push({ key: item.command.key, status: 'failed', error });
  }
}

/** A request of unknown fate: the caller reads state back, or an idempotent chunk is sent again. */
async function resolveAmbiguous(
  call: BatchCall,
  items: Pending[],
  error: Bitrix24Error,
  settled: CommandOutcome[],
): Promise<void> {
  const { engine, options, queue } = call;
  if (options.reconcile) {
    let verdicts: Map<string, { status: 'ok'; result: unknown } | { status: 'not-run' }>;
    try {
      verdicts = await options.reconcile(items.map((item) => item.command));
    } catch (reconcileError) {
      engine.log(
        `batch: reading state after ${error.code} failed: ${asBitrix24Error(reconcileError, engine.redact).code}`,
      );
      for (const item of items) settled.push({ key: item.command.key, status: 'failed', error });
      return;
    }
    const notRun: Pending[] = [];
    for (const item of items) {
      const verdict = verdicts.get(item.command.key);
      if (verdict?.status === 'ok') settled.push({ key: item.command.key, status: 'ok', result: verdict.result });
      else if (verdict?.status === 'not-run') notRun.push(item);
      else settled.push({ key: item.command.key, status: 'failed', error });
    }
    if (notRun.length > 0) queue.requeue(notRun, error, settled);
    return;
  }
  if (options.idempotent) {
    const again = items.filter((item) => item.ambiguous < MAX_AMBIGUOUS_RESENDS);
    for (const item of items) {
      item.ambiguous += 1;
      if (!again.includes(item)) settled.push({ key: item.command.key, status: 'failed', error });
    }
    queue.requeue(again, error, settled, engine.clock.now() + backoffMs(again[0]?.ambiguous ?? 1, 300, 3_000));
    return;
  }
  for (const item of items) settled.push({ key: item.command.key, status: 'failed', error });
}
