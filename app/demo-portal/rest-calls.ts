// Running REST methods as the portal does: scope checks, each method's operating budget (billed per command or, as
// measured, once for the whole batch), the call's cost as real (scaled) time, `time` blocks with operating and
// operating_reset_at, and `batch` with its 50-command cap, halt and `$result[…]` references.
import { setTimeout as sleep } from 'node:timers/promises';
import { substitute } from './batch-references.ts';
import { atom } from './format.ts';
import type { OperatingTracker } from './limits.ts';
import { MethodError, type MethodOutput, type PortalState, requiredScope } from './methods/portal-state.ts';
import { parsePhpQuery } from './php-query.ts';
import type { DemoCounters, DemoFaults, DemoPortalOptions } from './types.ts';

const BATCH_MAX_LENGTH = 50;

/**
 * Who calls: the webhook or the OAuth application. Each has its own operating budget per method (`limits.md`: the
 * budget is kept per webhook and per application), so one cannot spend the other's.
 */
export type Caller = 'webhook' | 'app';

const budgetOf = (caller: Caller, method: string): string => `${caller} ${method}`;

/** Scopes a default webhook is granted. */
export const DEFAULT_SCOPES = ['imopenlines', 'im', 'user', 'crm'];
const ALL_SCOPES = [...DEFAULT_SCOPES, 'user_basic', 'imconnector', 'pull', 'department', 'placement'];

interface CallFailure {
  status: number;
  error: string;
  description: string;
}

/** `cost`: the portal seconds the call really took, whatever `time.processing` says (an outer-billed batch sums it). */
type CallOutcome =
  | { ok: true; output: MethodOutput; time: TimeInfo; cost: number }
  | ({ ok: false; time?: TimeInfo; cost?: number } & CallFailure);

interface TimeInfo {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating?: number;
  operating_reset_at?: number;
}

export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export const fail = (status: number, error: string, description: string): HttpAnswer =>
  new HttpAnswer(status, { error, error_description: description });

const round = (value: number, digits = 6): number => Number(value.toFixed(digits));

function isYesParam(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && /^(1|y|true)$/i.test(value));
}

export interface CallRunnerDeps {
  state: PortalState;
  tracker: OperatingTracker;
  timeScale: number;
  batchBilling: NonNullable<DemoPortalOptions['batchBilling']>;
  costOf: (method: string) => number;
  /** Answer `time.processing: 0` (the operating level still grows by the real cost). */
  zeroProcessing: boolean;
  callerId: number;
  /** Read at each call: tests reset counters and change faults and scopes while the portal runs. */
  counters: () => DemoCounters;
  faults: () => DemoFaults;
  scopes: () => readonly string[];
}

export function createCallRunner(deps: CallRunnerDeps) {
  /** Real unix seconds; an integer like the cloud at deps.timeScale 1, ms-precise floats when windows are scaled. */
  const resetAt = (ms: number | undefined): number | undefined => {
    if (ms === undefined) return undefined;
    return deps.timeScale === 1 ? Math.ceil(ms / 1000) : Math.ceil(ms) / 1000;
  };

  const timeInfo = (startMs: number, processing: number, billedBudget: string | undefined): TimeInfo => {
    const finishMs = Date.now();
    const info: TimeInfo = {
      start: startMs / 1000,
      finish: finishMs / 1000,
      // In portal seconds like `processing`: a call lasts at least what it cost, however scaled the clock is.
      duration: round(Math.max((finishMs - startMs) / 1000, processing)),
      // Every imopenlines example in the docs answers 0 here: the switch lets the tests meet such a portal.
      processing: deps.zeroProcessing ? 0 : round(processing),
      date_start: atom(startMs),
      date_finish: atom(finishMs),
    };
    if (billedBudget !== undefined) {
      const operating = deps.tracker.state(billedBudget, finishMs);
      info.operating = round(operating.operating, 4);
      const at = resetAt(operating.resetAtMs);
      if (at !== undefined) info.operating_reset_at = at;
    }
    return info;
  };

  const operatingRefusal = (method: string): CallFailure => {
    deps.counters().operatingLimitHits++;
    return {
      status: 429,
      error: 'OPERATION_TIME_LIMIT',
      description: `Method ${method} is blocked due to operation time limit.`,
    };
  };

  /**
   * Runs one method call. `billing` 'own' checks and bills the method's own budget; 'none' leaves it to the
   * caller (an outer-billed batch) and reports the cost through `processing`.
   */
  const runCall = async (
    method: string,
    params: Record<string, unknown>,
    billing: 'own' | 'none',
    caller: Caller,
  ): Promise<CallOutcome> => {
    if (method.toLowerCase() === 'batch') {
      return {
        ok: false,
        status: 405,
        error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
        description: 'Method is not allowed for batch usage',
      };
    }
    const scopeMethod = method.toLowerCase() === 'scope';
    const found = scopeMethod
      ? { name: 'scope', run: () => ({ result: isYesParam(params.full) ? ALL_SCOPES : deps.scopes() }) }
      : deps.state.handler(method);
    if (!found) return { ok: false, status: 404, error: 'ERROR_METHOD_NOT_FOUND', description: 'Method not found!' };
    const scope = requiredScope(found.name);
    if (scope !== undefined && !deps.scopes().includes(scope)) {
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        description: 'The request requires higher privileges than provided by the webhook token',
      };
    }
    const budget = budgetOf(caller, found.name);
    if (billing === 'own' && deps.tracker.blocked(budget)) {
      const refusal = operatingRefusal(found.name);
      return { ok: false, ...refusal, time: timeInfo(Date.now(), 0, budget), cost: 0 };
    }
    deps.counters().calls[found.name] = (deps.counters().calls[found.name] ?? 0) + 1;
    const startMs = Date.now();
    const cost = deps.costOf(found.name);
    // Cost is real sleeping time, scaled: a batch of 50 heavy calls takes 50 times as long.
    if (cost > 0) await sleep((cost * 1000) / deps.timeScale);
    let outcome: { ok: true; output: MethodOutput } | ({ ok: false } & CallFailure);
    try {
      outcome = {
        ok: true,
        output: found.run({ params, callerId: deps.callerId, callerUnknown: deps.faults().unknownCaller === true }),
      };
    } catch (error) {
      if (!(error instanceof MethodError)) throw error;
      outcome = { ok: false, status: error.status, error: error.code, description: error.description };
    }
    if (billing === 'own') deps.tracker.bill(budget, cost);
    const time = timeInfo(startMs, cost, billing === 'own' ? budget : undefined);
    return { ...outcome, time, cost };
  };

  const runBatch = async (params: Record<string, unknown>, caller: Caller, cutoffAt: number): Promise<HttpAnswer> => {
    const batchBudget = budgetOf(caller, 'batch');
    const startMs = Date.now();
    const halt = isYesParam(params.halt);
    const cmd = params.cmd;
    const entries = cmd !== null && typeof cmd === 'object' ? Object.entries(cmd as Record<string, unknown>) : [];
    if (deps.batchBilling === 'outer' && deps.tracker.blocked(batchBudget)) {
      const refusal = operatingRefusal('batch');
      return fail(refusal.status, refusal.error, refusal.description);
    }
    deps.counters().calls.batch = (deps.counters().calls.batch ?? 0) + 1;
    const result: Record<string, unknown> = {};
    const resultError: Record<string, unknown> = {};
    const resultTotal: Record<string, unknown> = {};
    const resultNext: Record<string, unknown> = {};
    const resultTime: Record<string, TimeInfo> = {};
    const sections = { result, error: resultError, total: resultTotal, next: resultNext, time: resultTime };
    let billed = 0;
    let index = 0;
    for (const [key, value] of entries) {
      // Cut off: no further command starts (the answer never leaves anyway).
      if (Date.now() >= cutoffAt) break;
      if (typeof value !== 'string') continue;
      index++;
      if (index > BATCH_MAX_LENGTH) {
        resultError[key] = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
        if (halt) break;
        continue;
      }
      const question = value.indexOf('?');
      const method = (question === -1 ? value : value.slice(0, question)).replace(/\.json$/i, '');
      const query = parsePhpQuery(question === -1 ? '' : value.slice(question + 1));
      const subParams = substitute(query, sections) as Record<string, unknown>;
      const outcome = await runCall(method, subParams, deps.batchBilling === 'outer' ? 'none' : 'own', caller);
      if (outcome.time) {
        resultTime[key] = outcome.time;
        billed += outcome.cost ?? 0;
      }
      if (outcome.ok) {
        result[key] = outcome.output.result;
        if (outcome.output.total !== undefined) resultTotal[key] = outcome.output.total;
        if (outcome.output.next !== undefined) resultNext[key] = outcome.output.next;
      } else {
        resultError[key] = { error: outcome.error, error_description: outcome.description };
        if (halt) break;
      }
    }
    let batchTime: TimeInfo;
    if (deps.batchBilling === 'outer') {
      // Measured behaviour (fact sheet §11): the batch is billed as one and its operating is copied everywhere.
      deps.tracker.bill(batchBudget, billed);
      batchTime = timeInfo(startMs, billed, batchBudget);
      for (const time of Object.values(resultTime)) {
        time.operating = batchTime.operating as number;
        if (batchTime.operating_reset_at !== undefined) time.operating_reset_at = batchTime.operating_reset_at;
      }
    } else batchTime = timeInfo(startMs, billed, undefined);
    return new HttpAnswer(200, {
      result: {
        result,
        result_error: resultError,
        result_total: resultTotal,
        result_next: resultNext,
        result_time: resultTime,
      },
      time: batchTime,
    });
  };

  return { runCall, runBatch };
}
