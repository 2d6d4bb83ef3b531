// Every error code the console knows, answered by a real HTTP server: the category the user sees, the human
// message, and whether the client sent the request again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import { Bitrix24Error, type ErrorCategory, KNOWN_ERROR_CODES } from './errors.ts';
import { answer, type StubPortal, startStubPortal } from './testing/stub-portal.ts';

const EXPECTED: Record<string, { category: ErrorCategory; status: number }> = {
  QUERY_LIMIT_EXCEEDED: { category: 'retry', status: 503 },
  OPERATION_TIME_LIMIT: { category: 'wait-reset', status: 429 },
  OVERLOAD_LIMIT: { category: 'blocked', status: 503 },
  PORTAL_DELETED: { category: 'blocked', status: 500 },
  ACCESS_DENIED: { category: 'permission', status: 400 },
  PAYMENT_REQUIRED: { category: 'blocked', status: 402 },
  INTERNAL_SERVER_ERROR: { category: 'ambiguous', status: 500 },
  ERROR_UNEXPECTED_ANSWER: { category: 'ambiguous', status: 500 },
  ERROR_BATCH_METHOD_NOT_ALLOWED: { category: 'bad-input', status: 405 },
  ERROR_BATCH_LENGTH_EXCEEDED: { category: 'retry', status: 400 },
  NO_AUTH_FOUND: { category: 'reauth', status: 401 },
  INVALID_CREDENTIALS: { category: 'reauth', status: 403 },
  INVALID_TOKEN: { category: 'reauth', status: 401 },
  EXPIRED_TOKEN: { category: 'reauth', status: 401 },
  INVALID_GRANT: { category: 'reauth', status: 400 },
  INVALID_CLIENT: { category: 'reauth', status: 401 },
  WRONG_AUTH_TYPE: { category: 'reauth', status: 401 },
  AUTHORIZATION_ERROR: { category: 'reauth', status: 401 },
  INVALID_REQUEST: { category: 'bad-input', status: 400 },
  INSUFFICIENT_SCOPE: { category: 'permission', status: 403 },
  INVALID_SCOPE: { category: 'permission', status: 400 },
  USER_ACCESS_ERROR: { category: 'permission', status: 403 },
  METHOD_CONFIRM_WAITING: { category: 'permission', status: 401 },
  METHOD_CONFIRM_DENIED: { category: 'permission', status: 403 },
  APPLICATION_NOT_FOUND: { category: 'reauth', status: 401 },
  ERROR_MANIFEST_IS_NOT_AVAILABLE: { category: 'bad-input', status: 404 },
  ERROR_METHOD_NOT_FOUND: { category: 'bad-input', status: 404 },
  TARIFF_RESTRICTION: { category: 'permission', status: 400 },
  CHAT_ID: { category: 'bad-input', status: 400 },
  CHAT_ID_EMPTY: { category: 'bad-input', status: 400 },
  CHAT_TYPE: { category: 'bad-input', status: 400 },
  USER_ID: { category: 'reauth', status: 400 },
  ACCESS_ERROR: { category: 'permission', status: 400 },
  ACCESS_DENIED_KICK: { category: 'bad-input', status: 400 },
  OPERATOR_WRONG: { category: 'bad-input', status: 400 },
  IM_NOT_INSTALLED: { category: 'blocked', status: 400 },
  IM_LOAD_ERROR: { category: 'ambiguous', status: 400 },
  MISSING_REQUIRED_PARAM: { category: 'bad-input', status: 400 },
  INVALID_SESSION_ID: { category: 'bad-input', status: 400 },
  INVALID_FORMAT: { category: 'bad-input', status: 400 },
  INVALID_FILTER: { category: 'bad-input', status: 400 },
  PERIOD_TOO_LARGE: { category: 'bad-input', status: 400 },
  OFFSET_TOO_LARGE: { category: 'bad-input', status: 400 },
  ERROR_USER_NOT_OPERATOR: { category: 'permission', status: 400 },
};

const RAW_DESCRIPTION = 'raw portal text, localized, not for display';

/** What the stub answers next, per test: a queue of [status, body]; then success. */
let script: Array<[number, unknown]> = [];
let portal: StubPortal;

beforeAll(async () => {
  portal = await startStubPortal((_request, res) => {
    const next = script.shift();
    if (next) answer(res, next[0], next[1]);
    else answer(res, 200, { result: true, time: { start: 1, finish: 1, duration: 0, processing: 0 } });
  });
});
afterAll(() => portal.close());

function client() {
  return createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
}

async function callWith(code: string, status: number, then: Array<[number, unknown]> = []) {
  script = [[status, { error: code, error_description: RAW_DESCRIPTION }], ...then];
  const before = portal.requests.length;
  const c = client();
  const outcome = await c.call('imopenlines.session.start', { CHAT_ID: 1 }).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, requests: portal.requests.length - before, client: c };
}

describe('error classification', () => {
  it('covers every code of the catalog', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...KNOWN_ERROR_CODES].sort());
  });

  const terminal = Object.entries(EXPECTED).filter(
    ([code]) => !['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT'].includes(code),
  );

  it.each(terminal)('%s: typed, human message, sent once', async (code, { category, status }) => {
    for (const spelled of [code, code.toLowerCase()]) {
      const { error, requests } = await callWith(spelled, status);
      expect(error).toBeInstanceOf(Bitrix24Error);
      const failure = error as Bitrix24Error;
      expect(failure.code).toBe(spelled);
      expect(failure.category).toBe(category);
      expect(failure.method).toBe('imopenlines.session.start');
      expect(failure.description).toBe(RAW_DESCRIPTION);
      expect(failure.message).not.toContain(RAW_DESCRIPTION);
      expect(failure.message.length).toBeGreaterThan(15);
      expect(requests).toBe(1);
    }
  });

  it('retries QUERY_LIMIT_EXCEEDED (any case) after a back-off and succeeds', async () => {
    const { value, requests, client: c } = await callWith('query_limit_exceeded', 503);
    expect(value?.result).toBe(true);
    expect(requests).toBe(2);
    expect(c.limits.snapshot().recentHits.map((hit) => hit.code)).toEqual(['query_limit_exceeded']);
  });

  it('holds a method after OPERATION_TIME_LIMIT and sends it again', async () => {
    const { value, requests, client: c } = await callWith('OPERATION_TIME_LIMIT', 429);
    expect(value?.result).toBe(true);
    expect(requests).toBe(2);
    expect(c.limits.snapshot().recentHits).toMatchObject([
      { code: 'OPERATION_TIME_LIMIT', method: 'imopenlines.session.start' },
    ]);
  });

  it('treats INVALID_CREDENTIALS as re-authenticate at 401 and at 403', async () => {
    for (const status of [401, 403]) {
      const { error, requests } = await callWith('INVALID_CREDENTIALS', status);
      expect((error as Bitrix24Error).category).toBe('reauth');
      expect((error as Bitrix24Error).status).toBe(status);
      expect(requests).toBe(1);
    }
  });

  it('tells "no REST on this plan" (403) from "no access to the dialog" (400) for ACCESS_DENIED', async () => {
    script = [[403, { error: 'ACCESS_DENIED', error_description: 'REST API is available only on commercial plans' }]];
    const c = client();
    const plan = await c.call('profile').catch((error: unknown) => error as Bitrix24Error);
    expect(plan).toMatchObject({ code: 'ACCESS_DENIED', category: 'blocked' });
    // A Russian portal says it in Russian: the status decides, not the English words.
    script = [[403, { error: 'ACCESS_DENIED', error_description: 'REST API доступен только на коммерческих тарифах' }]];
    const translated = await client()
      .call('profile')
      .catch((error: unknown) => error as Bitrix24Error);
    expect(translated).toMatchObject({ code: 'ACCESS_DENIED', category: 'blocked' });
    const { error } = await callWith('ACCESS_DENIED', 400);
    expect((error as Bitrix24Error).category).toBe('permission');
  });

  it('stops every later call after a blocking code until the block is cleared', async () => {
    const { error, client: c } = await callWith('OVERLOAD_LIMIT', 503);
    expect((error as Bitrix24Error).category).toBe('blocked');
    expect(c.limits.snapshot().blocked?.code).toBe('OVERLOAD_LIMIT');
    const before = portal.requests.length;
    await expect(c.call('profile')).rejects.toMatchObject({ code: 'OVERLOAD_LIMIT' });
    expect(portal.requests.length).toBe(before);
    c.clearBlock();
    await expect(c.call('profile')).resolves.toMatchObject({ result: true });
    expect(portal.requests.length).toBe(before + 1);
  });

  it('classifies unknown codes by the status hint', async () => {
    const server = await callWith('SOMETHING_NEW', 500);
    expect((server.error as Bitrix24Error).category).toBe('ambiguous');
    const auth = await callWith('SOMETHING_NEW', 401);
    expect((auth.error as Bitrix24Error).category).toBe('reauth');
    const other = await callWith('SOMETHING_NEW', 400);
    expect((other.error as Bitrix24Error).category).toBe('bad-input');
    expect((other.error as Bitrix24Error).message).toContain('SOMETHING_NEW');
  });

  it('repeats an idempotent read after an ambiguous failure, but never a write', async () => {
    script = [[500, { error: 'INTERNAL_SERVER_ERROR' }]];
    const c = client();
    const before = portal.requests.length;
    await expect(c.call('imopenlines.dialog.get', { CHAT_ID: 1 }, { idempotent: true })).resolves.toMatchObject({
      result: true,
    });
    expect(portal.requests.length).toBe(before + 2);
    const write = await callWith('INTERNAL_SERVER_ERROR', 500);
    expect(write.requests).toBe(1);
  });
});
