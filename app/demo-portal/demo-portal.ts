// The demo portal: a local Bitrix24 webhook/OAuth server on 127.0.0.1 with the real limits, shapes and faults.
// It is the console's default portal and what every test and benchmark runs against.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { atom } from './format.ts';
import { OperatingTracker, RequestBucket } from './limits.ts';
import { PortalState } from './methods/portal-state.ts';
import { phpJsonEncode } from './php-json.ts';
import { parsePhpQuery } from './php-query.ts';
import { parseBody, readBody } from './request-body.ts';
import { type Caller, createCallRunner, DEFAULT_SCOPES, fail, HttpAnswer } from './rest-calls.ts';
import { generatePortalData, HISTORY_MIN_DAYS, mulberry32 } from './seed-data.ts';

import { DEMO_TLS_CERTIFICATE, DEMO_TLS_KEY } from './tls/certificate.ts';
import type { DemoChat, DemoCounters, DemoFaults, DemoPlan, DemoPortal, DemoPortalOptions } from './types.ts';

export const PLAN_BUCKETS: Record<DemoPlan, { capacity: number; drainPerSecond: number }> = {
  standard: { capacity: 50, drainPerSecond: 2 },
  enterprise: { capacity: 250, drainPerSecond: 5 },
};

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

const _round = (value: number, digits = 6): number => Number(value.toFixed(digits));
const token = (): string => randomBytes(24).toString('hex');

export async function createDemoPortal(options: DemoPortalOptions = {}): Promise<DemoPortal> {
  const chatCount = options.chats ?? 200;
  if (!Number.isInteger(chatCount) || chatCount < 0 || chatCount > 50_000) {
    throw new RangeError('chats must be an integer from 0 to 50,000');
  }
  const history = options.history ?? { sessions: 0 };
  if (!Number.isInteger(history.sessions) || history.sessions < 0 || history.sessions > 1_000_000) {
    throw new RangeError('history.sessions must be an integer from 0 to 1,000,000');
  }
  if (history.days !== undefined && !(history.days >= HISTORY_MIN_DAYS && history.days <= 3650)) {
    throw new RangeError(`history.days must be from ${HISTORY_MIN_DAYS} to 3650`);
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
  /** The portal's cut-off, in real ms (portal seconds are scaled like every cost). */
  const cutoffMs = ((options.requestCutoffSeconds ?? 60) * 1000) / timeScale;
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

  const data = generatePortalData(options.seed ?? 1, chatCount, webhookUserId, Date.now(), history);
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

  const { runCall, runBatch } = createCallRunner({
    state,
    tracker,
    timeScale,
    batchBilling,
    costOf,
    zeroProcessing: options.zeroProcessing === true,
    callerId: webhookUserId,
    counters: () => counters,
    faults: () => faults,
    scopes: () => scopes,
  });

  type Auth = { ok: true; caller: Caller } | { ok: false; answer: HttpAnswer };

  const authenticate = (segments: string[], params: Record<string, unknown>, req: http.IncomingMessage): Auth => {
    const deny = (status: number, error: string, description: string): Auth => {
      counters.authFailures++;
      return { ok: false, answer: fail(status, error, description) };
    };
    if (segments.length === 3) {
      if (segments[0] === String(webhookUserId) && segments[1] === webhookCode) return { ok: true, caller: 'webhook' };
      return deny(401, 'INVALID_CREDENTIALS', 'Invalid request credentials');
    }
    const header = req.headers.authorization;
    const bearer = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
    const given = params.auth ?? params.access_token ?? bearer;
    if (typeof given !== 'string' || given === '') return deny(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    if (given === oauthState.accessToken) {
      if (oauthState.accessExpired) return deny(401, 'expired_token', 'The access token provided has expired.');
      return { ok: true, caller: 'app' };
    }
    // A token rotated out by a refresh behaves as expired, so a late caller refreshes instead of failing.
    if (oauthState.retiredAccessTokens.has(given))
      return deny(401, 'expired_token', 'The access token provided has expired.');
    return deny(401, 'invalid_token', 'The access token provided is invalid.');
  };

  /** Runs the method (or batch) of a request and makes its answer; a batch stops starting commands at `cutoffAt`. */
  const answerFor = async (
    method: string,
    params: Record<string, unknown>,
    caller: Caller,
    cutoffAt: number,
  ): Promise<HttpAnswer> => {
    if (method.toLowerCase() === 'batch') return runBatch(params, caller, cutoffAt);
    const outcome = await runCall(method, params, 'own', caller);
    if (!outcome.ok) return fail(outcome.status, outcome.error, outcome.description);
    const envelope: Record<string, unknown> = { result: outcome.output.result };
    if (outcome.output.next !== undefined) envelope.next = outcome.output.next;
    if (outcome.output.total !== undefined) envelope.total = outcome.output.total;
    envelope.time = outcome.time;
    return new HttpAnswer(200, envelope);
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
    // The portal cuts every request off at 60 s (limits.md): what ran until then stays done, and the client gets no
    // answer at all.
    const cutoffAt = Date.now() + cutoffMs;
    const cutoff = setTimeout(() => req.socket.destroy(), cutoffMs);
    let answer: HttpAnswer;
    try {
      answer = await answerFor(method, params, auth.caller, cutoffAt);
    } finally {
      clearTimeout(cutoff);
    }
    // Past the cut-off even when its timer has not fired yet (a busy event loop): no answer leaves.
    if (req.socket.destroyed || Date.now() >= cutoffAt) {
      req.socket.destroy();
      return;
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
      dateClose: chat.session.dateClose === null ? null : atom(chat.session.dateClose),
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
