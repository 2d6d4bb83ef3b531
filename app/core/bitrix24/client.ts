// The Bitrix24 client: every request waits for the portal's request bucket and the method's operating budget,
// then is classified by error code. Retries happen only where the portal refused before running anything
// (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT, expired_token, a connection that never carried the request);
// ambiguous failures are repeated only for idempotent calls.

import { redact } from '../redact.ts';
import { runBatch } from './batch.ts';
import { type BatchEngine, backoffMs, type SendOptions, type Sent } from './batch-engine.ts';
import { systemClock, throwIfAborted } from './clock.ts';
import { parseResponse } from './envelope.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import { HttpTransport, NotSentError } from './http-transport.ts';
import { LeakyBucket } from './leaky-bucket.ts';
import { PortalLimitsMonitor } from './limits-monitor.ts';
import { OAuthSession } from './oauth.ts';
import { OperatingTracker } from './operating-tracker.ts';
import { parseClientEndpoint, parseWebhookUrl } from './portal-address.ts';
import type {
  BatchCommand,
  BatchOptions,
  BatchReport,
  Bitrix24Client,
  CallOptions,
  ClientOptions,
  ClientOutcome,
  MethodResult,
} from './types.ts';
import { PLAN_LIMITS } from './types.ts';

const DEFAULT_TIMEOUT_MS = 65_000;
const DEFAULT_BUDGET_SECONDS = 480;
/** Attempts after QUERY_LIMIT_EXCEEDED before giving up (another app may be flooding the shared bucket). */
const MAX_QUERY_LIMIT_RETRIES = 8;
/** Holds after OPERATION_TIME_LIMIT before a single request gives up. */
const MAX_OPERATING_HOLDS = 20;
/** Re-sends of a request whose connection failed before it was written. */
const MAX_NOT_SENT_RETRIES = 2;
/** Re-sends of an idempotent call after an ambiguous failure. */
const MAX_AMBIGUOUS_RETRIES = 2;

const METHOD_NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

export function createBitrix24Client(options: ClientOptions): Bitrix24Client {
  const clock = options.clock ?? systemClock;
  const credentials = options.credentials;
  const webhook = credentials.kind === 'webhook' ? parseWebhookUrl(credentials.webhookUrl) : null;
  const endpoint = credentials.kind === 'oauth' ? parseClientEndpoint(credentials.clientEndpoint) : null;
  const baseUrl = webhook?.baseUrl ?? endpoint?.baseUrl ?? '';
  const portalLabel = webhook?.label ?? endpoint?.label ?? 'portal';
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limits = options.bucket ?? PLAN_LIMITS[options.plan ?? 'standard'];

  let oauth: OAuthSession | null = null;
  const secrets = (): string[] => {
    if (webhook) return [webhook.code];
    return oauth?.secrets() ?? [];
  };
  const clean = (text: string): string => redact(text, secrets());
  const log = (line: string): void => {
    if (!options.log) return;
    try {
      options.log(clean(line));
    } catch {
      // Logging must never break a call.
    }
  };

  const transport = new HttpTransport({
    secrets,
    ...(options.caCertificatePem ? { caCertificatePem: options.caCertificatePem } : {}),
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  let monitor: PortalLimitsMonitor;
  const changed = () => monitor?.changed();
  const bucket = new LeakyBucket({ ...limits, clock, onChange: changed });
  const tracker = new OperatingTracker({
    budgetSeconds: options.operatingBudgetSeconds ?? DEFAULT_BUDGET_SECONDS,
    clock,
    onChange: changed,
  });
  monitor = new PortalLimitsMonitor({
    portal: portalLabel,
    clock,
    bucket: () => ({ level: bucket.level(), capacity: bucket.capacity, drainPerSecond: bucket.drainPerSecond }),
    waiting: () => bucket.waiting() + tracker.waiting(),
    methods: () => tracker.snapshot(),
  });
  if (credentials.kind === 'oauth') {
    oauth = new OAuthSession({
      credentials,
      transport,
      timeoutMs,
      now: () => clock.now(),
      ...(options.onTokensRotated ? { onTokensRotated: options.onTokensRotated } : {}),
      log,
    });
  }

  /** Errors raised before a request left (or that prove it was refused unrun). */
  const unsent = new WeakSet<object>();
  const notRun = <E extends Error>(error: E): E => {
    unsent.add(error);
    return error;
  };

  const blockedError = (): Bitrix24Error | null => {
    const blocked = monitor.isBlocked();
    return blocked ? new Bitrix24Error({ code: blocked.code, message: blocked.message }) : null;
  };

  function checkMethod(method: string): void {
    if (!METHOD_NAME.test(method)) {
      throw notRun(
        new Bitrix24Error({
          code: 'ERROR_METHOD_NOT_FOUND',
          message: `"${method.slice(0, 80)}" is not a Bitrix24 method name.`,
        }),
      );
    }
  }

  async function send(method: string, params: Record<string, unknown>, sendOptions: SendOptions): Promise<Sent> {
    const signal = sendOptions.signal;
    let slotTaken = sendOptions.slotTaken ?? false;
    let queryLimitRetries = 0;
    let holds = 0;
    let notSentRetries = 0;
    let refreshed = false;
    try {
      for (;;) {
        const blocked = blockedError();
        if (blocked) throw notRun(blocked);
        // Counted in flight from before the bucket wait, so concurrent callers near the budget see each other.
        if (!slotTaken) await tracker.waitForRoom(method, 1, signal);
        tracker.begin(method, 1);
        let response: Awaited<ReturnType<HttpTransport['request']>>;
        let auth: string | undefined;
        try {
          if (!slotTaken) await bucket.acquire(signal);
          slotTaken = false;
          const stillBlocked = blockedError();
          if (stillBlocked) {
            bucket.refund();
            throw notRun(stillBlocked);
          }
          auth = oauth?.accessToken();
          const body = JSON.stringify(auth === undefined ? params : { ...params, auth });
          const url = new URL(`${baseUrl}${method}`);
          monitor.requestSent();
          log(`→ ${portalLabel} ${method}`);
          response = await transport.request({ url, method: 'POST', body, timeoutMs, ...(signal ? { signal } : {}) });
        } catch (error) {
          if (error instanceof NotSentError) {
            log(`✕ ${portalLabel} ${method}: connection failed before sending (${error.reason})`);
            if (notSentRetries < MAX_NOT_SENT_RETRIES) {
              notSentRetries += 1;
              await clock.sleep(backoffMs(notSentRetries, 200, 2_000), signal);
              continue;
            }
            throw notRun(
              new Bitrix24Error({
                code: CLIENT_CODES.unreachable,
                method,
                message: `The portal ${portalLabel} closed the connection before the request could be sent.`,
              }),
            );
          }
          if (error instanceof Bitrix24Error) {
            log(`✕ ${portalLabel} ${method}: ${error.code}`);
            if (error.category === 'unreachable' || error.code === CLIENT_CODES.aborted) notRun(error);
          }
          throw error;
        } finally {
          tracker.end(method, 1);
        }
        const parsed = parseResponse(response.status, response.body, method);
        if (parsed.ok) {
          log(`← ${portalLabel} ${method} ${response.status} in ${response.elapsedMs} ms`);
          tracker.observe(method, parsed.envelope.time);
          return { envelope: parsed.envelope, status: response.status, elapsedMs: response.elapsedMs };
        }
        const code = parsed.error.code;
        const upper = code.toUpperCase();
        log(`← ${portalLabel} ${method} ${response.status} ${code}`);
        const error = new Bitrix24Error({
          code,
          status: response.status,
          method,
          ...(parsed.error.description === undefined ? {} : { description: clean(parsed.error.description) }),
        });
        if (upper === 'QUERY_LIMIT_EXCEEDED') {
          // Refused before it ran: always safe to send again, after the shared bucket drained a little.
          monitor.hit(code, method);
          bucket.markFull();
          if (queryLimitRetries >= MAX_QUERY_LIMIT_RETRIES) throw notRun(error);
          queryLimitRetries += 1;
          await clock.sleep(backoffMs(queryLimitRetries, 1_000), signal);
          continue;
        }
        if (upper === 'OPERATION_TIME_LIMIT') {
          monitor.hit(code, method);
          const until = tracker.refused(method, parsed.time);
          if (holds >= MAX_OPERATING_HOLDS) {
            throw notRun(new Bitrix24Error({ code, status: response.status, method, resetAt: until }));
          }
          holds += 1;
          log(`… ${portalLabel} ${method} held for ${Math.max(0, until - clock.now())} ms (operating budget)`);
          continue;
        }
        if (upper === 'EXPIRED_TOKEN' && oauth && auth !== undefined && !refreshed) {
          refreshed = true;
          await oauth.refreshAfterExpiry(auth);
          continue;
        }
        if (error.category === 'blocked') {
          monitor.hit(code, method);
          monitor.block(code, error.message);
          log(`✕ ${portalLabel} is blocked (${code}): no further calls until the block is cleared`);
        }
        // Auth, permission and bad-input answers were refused without running: mark them so a batch knows.
        if (error.category !== 'ambiguous') notRun(error);
        throw error;
      }
    } catch (error) {
      if (error instanceof Bitrix24Error && error.code === CLIENT_CODES.aborted) notRun(error);
      throw error;
    }
  }

  async function call<T = unknown>(
    method: string,
    params: Record<string, unknown> = {},
    callOptions: CallOptions = {},
  ): Promise<MethodResult<T>> {
    checkMethod(method);
    throwIfAborted(callOptions.signal);
    let ambiguousRetries = 0;
    for (;;) {
      try {
        const sent = await send(method, params, { signal: callOptions.signal });
        const result: MethodResult<T> = { result: sent.envelope.result as T };
        if (sent.envelope.total !== undefined) result.total = sent.envelope.total;
        if (sent.envelope.next !== undefined) result.next = sent.envelope.next;
        if (sent.envelope.time) result.time = sent.envelope.time;
        return result;
      } catch (error) {
        if (
          callOptions.idempotent &&
          error instanceof Bitrix24Error &&
          error.category === 'ambiguous' &&
          ambiguousRetries < MAX_AMBIGUOUS_RETRIES
        ) {
          ambiguousRetries += 1;
          log(`↻ ${portalLabel} ${method}: repeating a read after ${error.code}`);
          await clock.sleep(backoffMs(ambiguousRetries, 300, 3_000), callOptions.signal);
          continue;
        }
        throw error;
      }
    }
  }

  const engine: BatchEngine = {
    clock,
    bucket,
    tracker,
    monitor,
    send,
    call,
    neverRan: (error) => typeof error === 'object' && error !== null && unsent.has(error),
    blockedError,
    redact: clean,
    log,
    commandSeconds: new Map(),
  };

  /** Tells `onOutcome` how a public call or batch ended; the batch's own inner calls are not reported twice. */
  const observed = async <T>(work: Promise<T>, stoppedBy?: (value: T) => unknown): Promise<T> => {
    const report = (outcome: ClientOutcome) => {
      try {
        options.onOutcome?.(outcome);
      } catch (error) {
        log(`an outcome listener failed: ${clean(error instanceof Error ? error.message : String(error))}`);
      }
    };
    try {
      const value = await work;
      const error = stoppedBy?.(value);
      report(error === undefined ? { ok: true } : { ok: false, error });
      return value;
    } catch (error) {
      report({ ok: false, error });
      throw error;
    }
  };

  return {
    portalLabel,
    limits: monitor,
    call: <T>(method: string, params?: Record<string, unknown>, callOptions?: CallOptions) =>
      observed(call<T>(method, params, callOptions)),
    batch(commands: readonly BatchCommand[], batchOptions: BatchOptions = {}): Promise<BatchReport> {
      const work = (async () => {
        for (const command of commands) checkMethod(command.method);
        return runBatch(engine, commands, batchOptions);
      })();
      return observed(work, (report) => report.stoppedBy);
    },
    clearBlock(): void {
      monitor.clearBlock();
      log(`${portalLabel}: block cleared by the user`);
    },
  };
}
