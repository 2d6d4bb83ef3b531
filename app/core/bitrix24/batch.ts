// Bulk commands through `batch`: chunks of at most 50 named-key commands with halt=0, several chunks in flight
// while the request bucket and the operating budgets have room, and one outcome per command. Only commands
// that provably did not run are sent again; a request with an unknown fate is settled by reading state.

import type { BatchEngine } from './client.ts';
import { backoffMs } from './client.ts';
import { abortError } from './clock.ts';
import { type BatchSections, parseBatchSections } from './envelope.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import type { BatchCommand, BatchOptions, BatchReport, CommandOutcome, TimeInfo } from './types.ts';

/** The portal's hard cap on commands per batch. */
export const BATCH_MAX_COMMANDS = 50;
/** Seconds one batch request should take at most: well inside the portal's 60 s cut-off. */
const TARGET_REQUEST_SECONDS = 20;
/**
 * Commands in the first request, sent alone: its answer tells how long a command takes before any full-size
 * chunk risks the 60 s cut-off, and how much operating time a call costs.
 */
const CALIBRATION_CHUNK = 5;
/** Batch requests in flight at once (the bucket and the operating budgets usually limit it sooner). */
const MAX_IN_FLIGHT = 12;
/** Times one command may be sent again after it provably did not run. */
const MAX_ATTEMPTS = 30;
/** Re-sends of an idempotent chunk after an ambiguous failure. */
const MAX_AMBIGUOUS_RESENDS = 3;

interface Pending {
  command: BatchCommand;
  attempts: number;
  ambiguous: number;
  lastError: Bitrix24Error | undefined;
  /** Unix ms before which it is not sent again (back-off after QUERY_LIMIT_EXCEEDED inside a batch). */
  notBefore: number;
}

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

function asBitrix24Error(error: unknown, redactText: (text: string) => string): Bitrix24Error {
  if (error instanceof Bitrix24Error) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Bitrix24Error({
    code: CLIENT_CODES.invalidResponse,
    message: `The batch request failed unexpectedly: ${redactText(message)}`,
  });
}

export async function runBatch(
  engine: BatchEngine,
  commands: readonly BatchCommand[],
  options: BatchOptions,
): Promise<BatchReport> {
  validate(commands);
  const { clock, tracker, bucket } = engine;
  const signal = options.signal;
  const maxChunk = Math.max(1, Math.min(BATCH_MAX_COMMANDS, Math.floor(options.maxChunkSize ?? BATCH_MAX_COMMANDS)));
  const targetSeconds = options.targetRequestSeconds ?? TARGET_REQUEST_SECONDS;
  const chunkFor = (seconds: number): number =>
    Math.max(1, Math.min(maxChunk, Math.floor(targetSeconds / Math.max(seconds, 1e-6))));
  // A later batch of the same methods starts from what the earlier ones learned: a calibration request per call
  // would cost the bulk run one extra request in every window of chats, against a bucket of 2 requests a second.
  const costKey = [...new Set(commands.map((command) => command.method))].sort().join(' ');
  /** Smoothed seconds one command takes on the portal, from `result_time` and the request's own duration. */
  let secondsPerCommand: number | null = engine.commandSeconds.get(costKey) ?? null;
  let chunkSize = secondsPerCommand === null ? Math.min(maxChunk, CALIBRATION_CHUNK) : chunkFor(secondsPerCommand);
  const outcomes = new Map<string, CommandOutcome>();
  let pending: Pending[] = commands.map((command) => ({
    command,
    attempts: 0,
    ambiguous: 0,
    lastError: undefined,
    notBefore: 0,
  }));
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

  /** Puts commands that did not run back at the head of the queue, or fails them after too many tries. */
  const requeue = (items: Pending[], error: Bitrix24Error, settled: CommandOutcome[], notBefore = 0): void => {
    const back: Pending[] = [];
    for (const item of items) {
      item.attempts += 1;
      item.lastError = error;
      item.notBefore = notBefore;
      if (item.attempts > MAX_ATTEMPTS) settled.push({ key: item.command.key, status: 'failed', error });
      else back.push(item);
    }
    pending = [...back, ...pending];
  };

  const adapt = (sections: BatchSections | null, elapsedMs: number, sent: number): void => {
    let sum = 0;
    let counted = 0;
    for (const time of Object.values(sections?.resultTime ?? {})) {
      if (time?.duration !== undefined) {
        sum += time.duration;
        counted += 1;
      }
    }
    // A request cannot have taken longer than it was observed to take: this guards against durations in other
    // units, and covers answers without result_time.
    const observed = elapsedMs / 1000;
    const sample = counted > 0 ? Math.min(sum, observed) / counted : observed / Math.max(1, sent);
    secondsPerCommand = secondsPerCommand === null ? sample : secondsPerCommand * 0.6 + sample * 0.4;
    engine.commandSeconds.set(costKey, secondsPerCommand);
    chunkSize = chunkFor(secondsPerCommand);
  };

  /** The commands the next request would carry now (empty: wait). */
  const plan = (): Pending[] => {
    if (tracker.quota('batch', 1) === 0) return [];
    const now = clock.now();
    const room = new Map<string, number>();
    const picked: Pending[] = [];
    for (const item of pending) {
      if (picked.length >= chunkSize) break;
      if (item.notBefore > now) continue;
      const method = item.command.method;
      let left = room.get(method);
      if (left === undefined) {
        left = tracker.quota(method, chunkSize);
        room.set(method, left);
      }
      if (left <= 0) continue;
      room.set(method, left - 1);
      picked.push(item);
    }
    return picked;
  };

  /** When something held becomes free again (unix ms), or null when only answers in flight can change things. */
  const nextWake = (): number | null => {
    let wake: number | null = tracker.heldUntil('batch');
    const seen = new Set<string>();
    for (const item of pending) {
      if (item.notBefore > clock.now()) wake = wake === null ? item.notBefore : Math.min(wake, item.notBefore);
      if (seen.has(item.command.method)) continue;
      seen.add(item.command.method);
      const held = tracker.heldUntil(item.command.method);
      if (held !== null) wake = wake === null ? held : Math.min(wake, held);
    }
    return wake;
  };

  const resolveAmbiguous = async (items: Pending[], error: Bitrix24Error, settled: CommandOutcome[]) => {
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
      if (notRun.length > 0) requeue(notRun, error, settled);
      return;
    }
    if (options.idempotent) {
      const again = items.filter((item) => item.ambiguous < MAX_AMBIGUOUS_RESENDS);
      for (const item of items) {
        item.ambiguous += 1;
        if (!again.includes(item)) settled.push({ key: item.command.key, status: 'failed', error });
      }
      requeue(again, error, settled, clock.now() + backoffMs(again[0]?.ambiguous ?? 1, 300, 3_000));
      return;
    }
    for (const item of items) settled.push({ key: item.command.key, status: 'failed', error });
  };

  const handleAnswer = async (items: Pending[], sections: BatchSections, settled: CommandOutcome[]) => {
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
    if (lengthCap !== null) chunkSize = Math.max(1, Math.min(chunkSize, lengthCap));
    if (notRun.length > 0) {
      const byCode = notRun[0]?.lastError ?? new Bitrix24Error({ code: 'ERROR_BATCH_LENGTH_EXCEEDED' });
      requeue(notRun, byCode, settled);
    }
    if (limited.length > 0) {
      engine.monitor.hit('QUERY_LIMIT_EXCEEDED', 'batch');
      const first = limited[0];
      requeue(
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
          ...(signal ? { signal } : {}),
          ...(options.idempotent ? { idempotent: true } : {}),
        });
        settled.push({ key, status: 'ok', result: single.result, ...(single.time ? { time: single.time } : {}) });
      } catch (error) {
        const failure = asBitrix24Error(error, engine.redact);
        if (engine.neverRan(failure) && (failure.category === 'blocked' || failure.category === 'reauth')) {
          stop(failure);
          settled.push({ key, status: 'not-sent', reason: failure });
        } else {
          settled.push({ key, status: 'failed', error: failure });
        }
      }
    }
  };

  const handleFailure = async (items: Pending[], error: Bitrix24Error, settled: CommandOutcome[]) => {
    const neverRan = engine.neverRan(error);
    switch (error.category) {
      case 'ambiguous':
        await resolveAmbiguous(items, error, settled);
        return;
      case 'blocked':
      case 'reauth':
      case 'unreachable':
        stop(error);
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
          stop(error);
          for (const item of items) settled.push({ key: item.command.key, status: 'not-sent', reason: error });
          return;
        }
        // The portal kept refusing the whole request before running it: try these commands again later.
        requeue(items, error, settled, clock.now() + backoffMs(items[0]?.attempts ?? 1, 1_000));
        return;
      default:
        // Permission or bad input for the whole request: sending it again changes nothing.
        for (const item of items) settled.push({ key: item.command.key, status: 'failed', error });
    }
  };

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
          adapt(sections, sent.elapsedMs, items.length);
        } catch (error) {
          const failure = asBitrix24Error(error, engine.redact);
          if (failure.category === 'ambiguous') adapt(null, clock.now() - started, items.length);
          await handleFailure(items, failure, settled);
          return;
        }
        await handleAnswer(items, sections, settled);
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
      if (pending.length === 0 && inFlight.size === 0) break;
      const limit = secondsPerCommand === null ? 1 : MAX_IN_FLIGHT;
      const picked = pending.length > 0 && inFlight.size < limit ? plan() : [];
      if (picked.length === 0) {
        await tracker.nextChange(nextWake(), signal);
        continue;
      }
      await bucket.acquire(signal);
      // Waiting for the bucket may have changed the budgets and the queue: choose again.
      const chosen = stoppedBy ? [] : plan();
      if (chosen.length === 0) {
        bucket.refund();
        continue;
      }
      const taken = new Set(chosen);
      pending = pending.filter((item) => !taken.has(item));
      launch(chosen);
    }
  } catch (error) {
    stop(asBitrix24Error(error, engine.redact));
  }
  while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
  const reason = stoppedBy ?? abortError();
  const leftover: CommandOutcome[] = [];
  for (const item of pending) {
    if (!outcomes.has(item.command.key)) leftover.push({ key: item.command.key, status: 'not-sent', reason });
  }
  pending = [];
  await settle(leftover);
  const report: BatchReport = { outcomes: new Map(commands.map((c) => [c.key, outcomes.get(c.key)!])), requests };
  if (stoppedBy) report.stoppedBy = stoppedBy;
  return report;
}
