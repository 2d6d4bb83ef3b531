// The demo portal: a local Bitrix24 webhook/OAuth server on 127.0.0.1 with the real limits, shapes and faults.
// It is the console's default portal and what every test and benchmark runs against.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { atom } from './format.ts';
import { OperatingTracker, RequestBucket } from './limits.ts';
import { MethodError, type MethodOutput, PortalState, requiredScope } from './methods/portal-state.ts';
import { phpJsonEncode } from './php-json.ts';
import { type PhpMap, parsePhpQuery } from './php-query.ts';
import { generatePortalData, mulberry32 } from './seed-data.ts';
import { DEMO_TLS_CERTIFICATE, DEMO_TLS_KEY } from './tls/certificate.ts';
import type { DemoChat, DemoCounters, DemoFaults, DemoPlan, DemoPortal, DemoPortalOptions } from './types.ts';

export const PLAN_BUCKETS: Record<DemoPlan, { capacity: number; drainPerSecond: number }> = {
  standard: { capacity: 50, drainPerSecond: 2 },
  enterprise: { capacity: 250, drainPerSecond: 5 },
};

/** Scopes a default webhook is granted. */
export const DEFAULT_SCOPES = ['imopenlines', 'im', 'user', 'crm'];
const ALL_SCOPES = [...DEFAULT_SCOPES, 'user_basic', 'imconnector', 'pull', 'department', 'placement'];
const BATCH_MAX_LENGTH = 50;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface CallFailure {
  status: number;
  error: string;
  description: string;
}

type CallOutcome = { ok: true; output: MethodOutput; time: TimeInfo } | ({ ok: false; time?: TimeInfo } & CallFailure);

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

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

const fail = (status: number, error: string, description: string): HttpAnswer =>
  new HttpAnswer(status, { error, error_description: description });

function emptyCounters(): DemoCounters {
  return {
    requests: 0,
    calls: {},
    sessionStarts: new Map(),
    queryLimitHits: 0,
    operatingLimitHits: 0,
    refreshes: 0,
    authFailures: 0,
  };
}

const round = (value: number, digits = 6): number => Number(value.toFixed(digits));
const token = (): string => randomBytes(24).toString('hex');

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string | undefined, body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || (!type.includes('form') && /^\s*[{[]/.test(body))) {
    try {
      const parsed: unknown = JSON.parse(body);
      // Like PHP's json_decode into $_REQUEST: a non-object body carries no params.
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  return parsePhpQuery(body);
}

export async function createDemoPortal(options: DemoPortalOptions = {}): Promise<DemoPortal> {
  const chatCount = options.chats ?? 200;
  if (!Number.isInteger(chatCount) || chatCount < 0 || chatCount > 50_000) {
    throw new RangeError('chats must be an integer from 0 to 50,000');
  }
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
  const resolved = {
    plan: options.plan ?? 'standard',
    timeScale,
    operatingLimitSeconds: options.operatingLimitSeconds ?? 480,
    operatingWindowSeconds: options.operatingWindowSeconds ?? 600,
  };
  const batchBilling = options.batchBilling ?? 'per-command';
  const costs = options.costSeconds ?? 0.02;
  const costOf = (method: string): number =>
    typeof costs === 'number' ? costs : (costs[method] ?? costs.default ?? 0.02);
  const webhookUserId = options.webhook?.userId ?? 1;
  const webhookCode = options.webhook?.code ?? randomBytes(8).toString('hex');
  const oauthState = {
    clientId: options.oauth?.clientId ?? `local.${randomBytes(6).toString('hex')}`,
    clientSecret: options.oauth?.clientSecret ?? randomBytes(20).toString('hex'),
    accessToken: options.oauth?.accessToken ?? token(),
    refreshToken: options.oauth?.refreshToken ?? token(),
    accessExpired: false,
    retiredAccessTokens: new Set<string>(),
  };
  let scopes = [...(options.scopes ?? DEFAULT_SCOPES)];
  let counters = emptyCounters();
  let faults: DemoFaults = {};
  let faultRandom = mulberry32(7);

  const data = generatePortalData(options.seed ?? 1, chatCount, webhookUserId);
  const state = new PortalState({
    data,
    callerId: webhookUserId,
    sessionList: options.sessionList ?? 'available',
    onSessionStart: (chatId) => counters.sessionStarts.set(chatId, (counters.sessionStarts.get(chatId) ?? 0) + 1),
  });
  const bucket = new RequestBucket(PLAN_BUCKETS[resolved.plan].capacity, PLAN_BUCKETS[resolved.plan].drainPerSecond);
  const tracker = new OperatingTracker(
    resolved.operatingLimitSeconds,
    (resolved.operatingWindowSeconds * 1000) / timeScale,
  );

  /** Real unix seconds; an integer like the cloud at timeScale 1, ms-precise floats when windows are scaled. */
  const resetAt = (ms: number | undefined): number | undefined => {
    if (ms === undefined) return undefined;
    return timeScale === 1 ? Math.ceil(ms / 1000) : Math.ceil(ms) / 1000;
  };

  const timeInfo = (startMs: number, processing: number, billedMethod: string | undefined): TimeInfo => {
    const finishMs = Date.now();
    const info: TimeInfo = {
      start: startMs / 1000,
      finish: finishMs / 1000,
      duration: round((finishMs - startMs) / 1000),
      processing: round(processing),
      date_start: atom(startMs),
      date_finish: atom(finishMs),
    };
    if (billedMethod !== undefined) {
      const operating = tracker.state(billedMethod, finishMs);
      info.operating = round(operating.operating, 4);
      const at = resetAt(operating.resetAtMs);
      if (at !== undefined) info.operating_reset_at = at;
    }
    return info;
  };

  const operatingRefusal = (method: string): CallFailure => {
    counters.operatingLimitHits++;
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
      ? { name: 'scope', run: () => ({ result: isYesParam(params.full) ? ALL_SCOPES : scopes }) }
      : state.handler(method);
    if (!found) return { ok: false, status: 404, error: 'ERROR_METHOD_NOT_FOUND', description: 'Method not found!' };
    const scope = requiredScope(found.name);
    if (scope !== undefined && !scopes.includes(scope)) {
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        description: 'The request requires higher privileges than provided by the webhook token',
      };
    }
    if (billing === 'own' && tracker.blocked(found.name)) {
      const refusal = operatingRefusal(found.name);
      return { ok: false, ...refusal, time: timeInfo(Date.now(), 0, found.name) };
    }
    counters.calls[found.name] = (counters.calls[found.name] ?? 0) + 1;
    const startMs = Date.now();
    const cost = costOf(found.name);
    // Cost is real sleeping time, scaled: a batch of 50 heavy calls takes 50 times as long.
    if (cost > 0) await sleep((cost * 1000) / timeScale);
    let outcome: { ok: true; output: MethodOutput } | ({ ok: false } & CallFailure);
    try {
      outcome = {
        ok: true,
        output: found.run({ params, callerId: webhookUserId, callerUnknown: faults.unknownCaller === true }),
      };
    } catch (error) {
      if (!(error instanceof MethodError)) throw error;
      outcome = { ok: false, status: error.status, error: error.code, description: error.description };
    }
    if (billing === 'own') tracker.bill(found.name, cost);
    const time = timeInfo(startMs, cost, billing === 'own' ? found.name : undefined);
    return { ...outcome, time };
  };

  const runBatch = async (params: Record<string, unknown>): Promise<HttpAnswer> => {
    const startMs = Date.now();
    const halt = isYesParam(params.halt);
    const cmd = params.cmd;
    const entries = cmd !== null && typeof cmd === 'object' ? Object.entries(cmd as Record<string, unknown>) : [];
    if (batchBilling === 'outer' && tracker.blocked('batch')) {
      const refusal = operatingRefusal('batch');
      return fail(refusal.status, refusal.error, refusal.description);
    }
    counters.calls.batch = (counters.calls.batch ?? 0) + 1;
    const result: Record<string, unknown> = {};
    const resultError: Record<string, unknown> = {};
    const resultTotal: Record<string, unknown> = {};
    const resultNext: Record<string, unknown> = {};
    const resultTime: Record<string, TimeInfo> = {};
    const sections = { result, error: resultError, total: resultTotal, next: resultNext, time: resultTime };
    let billed = 0;
    let index = 0;
    for (const [key, value] of entries) {
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
      const outcome = await runCall(method, subParams, batchBilling === 'outer' ? 'none' : 'own');
      if (outcome.time) {
        resultTime[key] = outcome.time;
        billed += outcome.time.processing;
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
    if (batchBilling === 'outer') {
      // Measured behaviour (fact sheet §11): the batch is billed as one and its operating is copied everywhere.
      tracker.bill('batch', billed);
      batchTime = timeInfo(startMs, billed, 'batch');
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

  type Auth = { ok: true } | { ok: false; answer: HttpAnswer };

  const authenticate = (segments: string[], params: Record<string, unknown>, req: http.IncomingMessage): Auth => {
    const deny = (status: number, error: string, description: string): Auth => {
      counters.authFailures++;
      return { ok: false, answer: fail(status, error, description) };
    };
    if (segments.length === 3) {
      if (segments[0] === String(webhookUserId) && segments[1] === webhookCode) return { ok: true };
      return deny(401, 'INVALID_CREDENTIALS', 'Invalid request credentials');
    }
    const header = req.headers.authorization;
    const bearer = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
    const given = params.auth ?? params.access_token ?? bearer;
    if (typeof given !== 'string' || given === '') return deny(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    if (given === oauthState.accessToken) {
      if (oauthState.accessExpired) return deny(401, 'expired_token', 'The access token provided has expired.');
      return { ok: true };
    }
    // A token rotated out by a refresh behaves as expired, so a late caller refreshes instead of failing.
    if (oauthState.retiredAccessTokens.has(given))
      return deny(401, 'expired_token', 'The access token provided has expired.');
    return deny(401, 'invalid_token', 'The access token provided is invalid.');
  };

  const handleRest = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    counters.requests++;
    const body = await readBody(req);
    if (faults.garbage) {
      res.writeHead(faults.garbage.status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(faults.garbage.body);
      return;
    }
    if (faults.overload) {
      await send(res, fail(503, 'OVERLOAD_LIMIT', 'REST API is blocked due to overload.'));
      return;
    }
    const segments = url.pathname
      .slice('/rest/'.length)
      .split('/')
      .filter((part) => part !== '');
    const params: Record<string, unknown> = {
      ...parsePhpQuery(url.search.slice(1)),
      ...parseBody(req.headers['content-type'], body),
    };
    if (segments.length !== 1 && segments.length !== 3) {
      await send(res, fail(401, 'NO_AUTH_FOUND', 'Wrong authorization data'));
      return;
    }
    const method = (segments[segments.length - 1] as string).replace(/\.json$/i, '');
    if (!bucket.take()) {
      counters.queryLimitHits++;
      await send(res, fail(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'));
      return;
    }
    const auth = authenticate(segments, params, req);
    if (!auth.ok) {
      await send(res, auth.answer);
      return;
    }
    delete params.auth;
    delete params.access_token;
    const roll = faultRandom();
    let edge = faults.errorBeforeRate ?? 0;
    if (roll < edge) {
      await send(res, fail(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
      return;
    }
    edge += faults.resetBeforeRate ?? 0;
    if (roll < edge) {
      req.socket.destroy();
      return;
    }
    let answer: HttpAnswer;
    if (method.toLowerCase() === 'batch') answer = await runBatch(params);
    else {
      const outcome = await runCall(method, params, 'own');
      if (outcome.ok) {
        const envelope: Record<string, unknown> = { result: outcome.output.result };
        if (outcome.output.next !== undefined) envelope.next = outcome.output.next;
        if (outcome.output.total !== undefined) envelope.total = outcome.output.total;
        envelope.time = outcome.time;
        answer = new HttpAnswer(200, envelope);
      } else answer = fail(outcome.status, outcome.error, outcome.description);
    }
    edge += faults.errorAfterRate ?? 0;
    if (roll < edge) {
      await send(res, fail(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
      return;
    }
    edge += faults.resetAfterRate ?? 0;
    if (roll < edge) {
      req.socket.destroy();
      return;
    }
    edge += faults.oversizeAfterRate ?? 0;
    if (roll < edge) {
      await sendOversize(res, faults.oversizeBytes ?? 64 * 1024 * 1024);
      return;
    }
    await send(res, answer);
  };

  const drainedOrClosed = (res: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done).off('close', done);
        resolve();
      };
      res.on('drain', done).on('close', done);
    });

  // A body that starts like an envelope and never seems to end, written as fast as the client reads it.
  const sendOversize = async (res: http.ServerResponse, bytes: number): Promise<void> => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    res.write('{"result":');
    for (let sent = 0; sent < bytes && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end('true}');
  };

  const send = async (res: http.ServerResponse, answer: HttpAnswer): Promise<void> => {
    if (faults.slowMs) await sleep(faults.slowMs);
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(phpJsonEncode(answer.body));
  };

  const handleToken = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const body = await readBody(req);
    const params: Record<string, unknown> = {
      ...parsePhpQuery(url.search.slice(1)),
      ...parseBody(req.headers['content-type'], body),
    };
    const answer = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(phpJsonEncode(payload));
    };
    if (params.grant_type !== 'refresh_token') {
      answer(400, { error: 'invalid_request', error_description: 'Only grant_type=refresh_token is served here' });
      return;
    }
    if (params.client_id !== oauthState.clientId || params.client_secret !== oauthState.clientSecret) {
      answer(401, { error: 'invalid_client', error_description: 'Invalid client' });
      return;
    }
    if (params.refresh_token !== oauthState.refreshToken) {
      answer(400, { error: 'invalid_grant', error_description: 'Invalid grant' });
      return;
    }
    counters.refreshes++;
    oauthState.retiredAccessTokens.add(oauthState.accessToken);
    oauthState.accessToken = token();
    oauthState.refreshToken = token();
    oauthState.accessExpired = false;
    answer(200, {
      access_token: oauthState.accessToken,
      refresh_token: oauthState.refreshToken,
      expires: Math.floor(Date.now() / 1000) + 3600,
      expires_in: 3600,
      client_endpoint: `${origin}/rest/`,
      server_endpoint: `${origin}/rest/`,
      domain: new URL(origin).host,
      member_id: 'demo0000000000000000000000000000',
      scope: scopes.join(','),
      status: 'L',
      user_id: webhookUserId,
    });
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith('/rest/')
      ? handleRest(req, res, url)
      : url.pathname.replace(/\/$/, '') === '/oauth/token'
        ? handleToken(req, res, url)
        : send(res, fail(404, 'NOT_FOUND', 'Not a REST address'));
    work.catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(phpJsonEncode({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }));
      } else res.destroy();
    });
  };

  const server = options.tls
    ? https.createServer({ key: DEMO_TLS_KEY, cert: DEMO_TLS_CERTIFICATE }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const snapshot = (chatId: number): DemoChat | undefined => {
    const chat = data.chats.get(chatId);
    if (!chat) return undefined;
    return {
      chatId: chat.chatId,
      lineId: chat.lineId,
      visitorName: chat.visitorName,
      userCode: chat.userCode,
      status: chat.session.status,
      sessionId: chat.session.id,
      operatorId: chat.session.operatorId,
      dateCreate: atom(chat.session.dateCreate),
      lastActivity: atom(chat.lastActivity),
      pinned: chat.pinned,
      accessible: state.line(chat.lineId)?.accessible === true,
    };
  };

  return {
    origin,
    webhookUrl: `${origin}/rest/${webhookUserId}/${webhookCode}/`,
    oauth: {
      clientEndpoint: `${origin}/rest/`,
      tokenUrl: `${origin}/oauth/token/`,
      clientId: oauthState.clientId,
      clientSecret: oauthState.clientSecret,
      get accessToken() {
        return oauthState.accessToken;
      },
      get refreshToken() {
        return oauthState.refreshToken;
      },
    },
    caCertificatePem: options.tls ? DEMO_TLS_CERTIFICATE : undefined,
    options: resolved,
    get counters() {
      return counters;
    },
    resetCounters() {
      counters = emptyCounters();
    },
    setFaults(next: DemoFaults) {
      faults = { ...next };
      faultRandom = mulberry32(next.seed ?? 7);
    },
    setPlan(plan: DemoPlan) {
      resolved.plan = plan;
      bucket.capacity = PLAN_BUCKETS[plan].capacity;
      bucket.drainPerSecond = PLAN_BUCKETS[plan].drainPerSecond;
    },
    setScopes(next: string[]) {
      scopes = [...next];
    },
    expireAccessToken() {
      oauthState.accessExpired = true;
    },
    chat: snapshot,
    chatIds: () => data.chats.ids(),
    restrictedLineIds: () => data.lines.filter((line) => !line.accessible).map((line) => line.id),
    groupChatIds: () => [...data.groupChats.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isYesParam(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && /^(1|y|true)$/i.test(value));
}

const REFERENCE = /\$(result|error|total|next|time)((?:\[[^\]]*\])+)/g;

/** Resolves `$result[key][field]…` references in a batch sub-command's params; unresolved ones stay as text. */
function substitute(
  value: PhpMap | string,
  sections: Record<'result' | 'error' | 'total' | 'next' | 'time', Record<string, unknown>>,
): unknown {
  if (typeof value !== 'string') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substitute(item, sections);
    return out;
  }
  const lookup = (section: string, path: string): unknown => {
    let node: unknown = sections[section as keyof typeof sections];
    for (const match of path.matchAll(/\[([^\]]*)\]/g)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[match[1] ?? ''];
    }
    return node;
  };
  const whole = /^\$(result|error|total|next|time)((?:\[[^\]]*\])+)$/.exec(value);
  if (whole) {
    const found = lookup(whole[1] as string, whole[2] as string);
    return found === undefined ? value : typeof found === 'object' && found !== null ? found : phpString(found);
  }
  return value.replace(REFERENCE, (text, section: string, path: string) => {
    const found = lookup(section, path);
    return found === undefined || (typeof found === 'object' && found !== null) ? text : phpString(found);
  });
}

/** PHP's string conversion of a scalar: true → "1", false and null → "". */
function phpString(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null) return '';
  return String(value);
}
