import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoPortal } from './demo-portal.ts';
import { call, findChat, post } from './test-client.ts';
import type { DemoPortal } from './types.ts';

let portal: DemoPortal;

beforeAll(async () => {
  // These tests share one portal and send more than 50 requests in a burst: the enterprise bucket keeps the
  // request limit (tested in limits.test.ts) out of the semantics under test.
  portal = await createDemoPortal({ chats: 300, costSeconds: 0, plan: 'enterprise' });
});
afterAll(() => portal.close());

describe('session semantics', () => {
  it('opens a new, larger session on a closed chat and only joins an active one', async () => {
    const chatId = findChat(portal, (chat) => chat.status >= 60);
    const before = portal.chat(chatId)!;
    const first = await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId });
    expect(first.body.result).toBe(true);
    const opened = portal.chat(chatId)!;
    expect(opened.sessionId).toBeGreaterThan(before.sessionId);
    expect(opened.status).toBeLessThan(60);
    const again = await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId });
    expect(again.body.result).toBe(true);
    expect(portal.chat(chatId)!.sessionId).toBe(opened.sessionId);
    expect(portal.counters.sessionStarts.get(chatId)).toBe(1);
    const dialog = await call(portal, 'imopenlines.dialog.get', { CHAT_ID: chatId });
    expect(dialog.body.result.entity_data_1.split('|')[5]).toBe(String(opened.sessionId));
  });

  it('closes the active session with operator.another.finish, after which start counts again', async () => {
    const chatId = findChat(portal, (chat) => chat.status < 60 && chat.operatorId !== 1 && chat.operatorId !== 0);
    await call(portal, 'imopenlines.operator.another.finish', { CHAT_ID: chatId });
    expect(portal.chat(chatId)!.status).toBe(60);
    const closedId = portal.chat(chatId)!.sessionId;
    await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId });
    expect(portal.chat(chatId)!.sessionId).toBeGreaterThan(closedId);
    expect(portal.counters.sessionStarts.get(chatId)).toBe(1);
  });

  it('answers the documented method errors with HTTP 400', async () => {
    const restricted = portal.chatIds().find((id) => portal.chat(id)?.accessible === false)!;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['imopenlines.session.start', { CHAT_ID: 999_999 }, 'CHAT_ID'],
      ['imopenlines.session.start', { CHAT_ID: 'abc' }, 'CHAT_ID'],
      ['imopenlines.session.start', { CHAT_ID: portal.groupChatIds()[0] }, 'CHAT_TYPE'],
      ['imopenlines.session.start', { CHAT_ID: restricted }, 'ACCESS_DENIED'],
      ['imopenlines.dialog.get', { CHAT_ID: restricted }, 'ACCESS_ERROR'],
      ['imopenlines.dialog.get', {}, 'DIALOG_ID_EMPTY'],
      ['imopenlines.session.history.get', {}, 'MISSING_REQUIRED_PARAM'],
      ['imopenlines.session.intercept', { CHAT_ID: 0 }, 'CHAT_ID_EMPTY'],
      ['imopenlines.operator.transfer', { CHAT_ID: portal.chatIds()[0] }, 'TRANSFER_ID_EMPTY'],
      ['imopenlines.operator.transfer', { CHAT_ID: portal.chatIds()[0], TRANSFER_ID: 'queue' }, 'QUEUE_ID_EMPTY'],
      ['imopenlines.operator.transfer', { CHAT_ID: portal.chatIds()[0], TRANSFER_ID: 'anna' }, 'USER_ID_EMPTY'],
      ['imopenlines.operator.transfer', { CHAT_ID: portal.chatIds()[0], USER_ID: 0 }, 'USER_ID_EMPTY'],
    ];
    for (const [method, params, code] of cases) {
      const answer = await call(portal, method, params);
      expect([method, answer.status, answer.body.error]).toEqual([method, 400, code]);
    }
  });

  it('answers USER_ID when the portal cannot tell who calls', async () => {
    portal.setFaults({ unknownCaller: true });
    const answer = await call(portal, 'imopenlines.session.join', { CHAT_ID: portal.chatIds()[0] });
    portal.setFaults({});
    expect([answer.status, answer.body.error]).toEqual([400, 'USER_ID']);
  });

  it('finds a dialog by DIALOG_ID, SESSION_ID and USER_CODE, and opens one by user code', async () => {
    const chat = portal.chat(findChat(portal, () => true))!;
    for (const params of [
      { DIALOG_ID: `chat${chat.chatId}` },
      { SESSION_ID: chat.sessionId },
      { USER_CODE: chat.userCode },
    ]) {
      const answer = await call(portal, 'imopenlines.dialog.get', params);
      expect(answer.body.result).toMatchObject({ id: chat.chatId, dialog_id: `chat${chat.chatId}` });
      expect(answer.body.result.role).toMatch(/^(member|none)$/);
    }
    const opened = await call(portal, 'imopenlines.session.open', { USER_CODE: chat.userCode });
    expect(Number(opened.body.result.chatId)).toBe(chat.chatId);
  });

  it('returns the session history keyed by message id', async () => {
    const chat = portal.chat(findChat(portal, () => true))!;
    const answer = await call(portal, 'imopenlines.session.history.get', { SESSION_ID: chat.sessionId });
    const { result } = answer.body;
    expect(result.sessionId).toBe(chat.sessionId);
    const ids = result.usersMessage[`chat${chat.chatId}`] as number[];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(result.message[id].id).toBe(id);
  });

  it('dates no message of any session after now, nor after the session closed', async () => {
    const now = Date.now();
    // The newest seeded sessions opened a minute ago: their messages must not run into the future.
    for (const chatId of portal.chatIds().slice(-40)) {
      const chat = portal.chat(chatId)!;
      if (!chat.accessible) continue;
      const { result } = (await call(portal, 'imopenlines.session.history.get', { SESSION_ID: chat.sessionId })).body;
      const end = chat.dateClose === null ? now + 1000 : Date.parse(chat.dateClose) + 1000;
      for (const message of Object.values(result.message) as Array<{ date: string }>) {
        expect(Date.parse(message.date)).toBeLessThanOrEqual(end);
      }
    }
  });

  it('pins all of the caller’s active dialogs and unpins them again', async () => {
    const pinned = await call(portal, 'imopenlines.session.mode.pinAll');
    const all = await call(portal, 'imopenlines.session.mode.unpinAll');
    expect(Array.isArray(all.body.result)).toBe(true);
    expect(all.body.result.length).toBeGreaterThanOrEqual(pinned.body.result.length);
    const again = await call(portal, 'imopenlines.session.mode.unpinAll');
    expect(again.text).toContain('"result":[]');
  });

  it('transfers a dialog to another operator and refuses a transfer to oneself', async () => {
    const chatId = findChat(portal, (chat) => chat.status < 60 && chat.operatorId !== 4);
    const ok = await call(portal, 'imopenlines.operator.transfer', { CHAT_ID: chatId, TRANSFER_ID: 4 });
    expect(ok.body.result).toBe(true);
    expect(portal.chat(chatId)!.operatorId).toBe(4);
    const self = await call(portal, 'imopenlines.operator.transfer', { CHAT_ID: chatId, USER_ID: 1 });
    expect(self.body.error).toBe('OPERATOR_WRONG');
  });
});

describe('batch', () => {
  it('runs 50 commands and answers ERROR_BATCH_LENGTH_EXCEEDED for the rest, still with 200', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 55 }, (_, i) => [`p${i}`, 'profile']));
    const answer = await call(portal, 'batch', { halt: 0, cmd });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.result.result)).toHaveLength(50);
    expect(Object.keys(answer.body.result.result_error)).toEqual(['p50', 'p51', 'p52', 'p53', 'p54']);
    expect(answer.body.result.result_error.p50.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
  });

  it('refuses a nested batch, stops on halt and substitutes $result references', async () => {
    const chat = portal.chat(findChat(portal, () => true))!;
    const answer = await call(portal, 'batch', {
      halt: 0,
      cmd: {
        open: `imopenlines.session.open?USER_CODE=${encodeURIComponent(chat.userCode)}`,
        dialog: 'imopenlines.dialog.get?CHAT_ID=$result[open][chatId]',
        nested: 'batch?cmd[a]=profile',
      },
    });
    expect(answer.body.result.result.dialog.id).toBe(chat.chatId);
    expect(answer.body.result.result_error.nested.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    const halted = await call(portal, 'batch', {
      halt: 1,
      cmd: { bad: 'imopenlines.session.start?CHAT_ID=0', never: 'profile' },
    });
    expect(halted.body.result.result).toEqual([]);
    expect(Object.keys(halted.body.result.result_error)).toEqual(['bad']);
  });

  it('parses PHP bracket syntax in command query strings', async () => {
    const answer = await call(portal, 'batch', {
      cmd: { lines: 'imopenlines.config.list.get?PARAMS[limit]=2&PARAMS[offset]=1&OPTIONS[QUEUE]=Y' },
    });
    const lines = answer.body.result.result.lines;
    expect(lines.map((line: { ID: string }) => line.ID)).toEqual(['2', '3']);
    expect(lines[0].QUEUE.length).toBeGreaterThan(0);
  });

  it('accepts a form body and a GET query string in PHP bracket syntax', async () => {
    const form = await fetch(`${portal.webhookUrl}batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'halt=0&cmd[me]=profile&cmd[lines]=imopenlines.config.list.get%3FPARAMS%5Blimit%5D%3D1',
    });
    const formBody = (await form.json()) as { result: { result: { me: { ID: string }; lines: unknown[] } } };
    expect(formBody.result.result.me.ID).toBe('1');
    expect(formBody.result.result.lines).toHaveLength(1);
    const get = await fetch(`${portal.webhookUrl}imopenlines.config.list.get.json?PARAMS[limit]=3`);
    expect(((await get.json()) as { result: unknown[] }).result).toHaveLength(3);
  });

  it('counts as one request', async () => {
    portal.resetCounters();
    await call(portal, 'batch', { cmd: { a: 'profile', b: 'profile', c: 'scope' } });
    expect(portal.counters.requests).toBe(1);
    expect(portal.counters.calls.profile).toBe(2);
  });
});

describe('PHP-style JSON', () => {
  it('escapes slashes and non-ASCII, and sends empty maps as []', async () => {
    const answer = await call(portal, 'batch', { cmd: { me: 'profile' } });
    expect(answer.text).toContain('Europe\\/Moscow');
    expect(answer.text).toContain('"result_error":[]');
    const cyrillic = findChat(portal, (chat) => /[\u0400-\u04ff]/.test(chat.visitorName));
    const dialog = await call(portal, 'imopenlines.dialog.get', { CHAT_ID: cyrillic });
    expect(dialog.text).not.toMatch(/[^\x20-\x7e]/);
    expect(dialog.text).toMatch(/\\u04[0-9a-f]{2}/);
    expect(dialog.body.result.name).toBe(
      `${portal.chat(cyrillic)!.visitorName} - ${dialog.body.result.name.split(' - ').pop()}`,
    );
  });

  it('carries the time envelope with operating data', async () => {
    const answer = await call(portal, 'profile');
    const { time } = answer.body;
    expect(time.finish).toBeGreaterThanOrEqual(time.start);
    expect(time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
    expect(time.operating).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(time.operating_reset_at)).toBe(true);
  });
});

describe('lists', () => {
  it('lists open-line chats through im.recent.list with lines = session, skipping chats and dialogs on request', async () => {
    const answer = await call(portal, 'im.recent.list', { SKIP_CHAT: 'Y', SKIP_DIALOG: 'Y', LIMIT: 20 });
    expect(answer.body.total).toBe(-1);
    expect(answer.body.result.hasMore).toBe(true);
    expect(answer.body.result.items).toHaveLength(20);
    for (const item of answer.body.result.items) {
      expect(item.chat.type).toBe('lines');
      expect(item.lines.id).toBe(portal.chat(item.chat_id)!.sessionId);
    }
  });

  it('ignores ONLY_OPENLINES in im.recent.list, as the server does: group chats and dialogs come too', async () => {
    const all = await call(portal, 'im.recent.list', { ONLY_OPENLINES: 'Y', LIMIT: 200 });
    const kinds = new Set(
      all.body.result.items.map((item: { type: string; chat?: { type: string } }) => item.chat?.type ?? item.type),
    );
    expect([...kinds].sort()).toEqual(['chat', 'lines', 'user']);
    const noDialogs = await call(portal, 'im.recent.list', { SKIP_DIALOG: 'Y', LIMIT: 200 });
    expect(noDialogs.body.result.items.some((item: { type: string }) => item.type === 'user')).toBe(false);
  });

  it('answers im.recent.get with a plain array of recent open-line items', async () => {
    const answer = await call(portal, 'im.recent.get', { ONLY_OPENLINES: 'Y' });
    expect(Array.isArray(answer.body.result)).toBe(true);
    expect(answer.body.result.length).toBeGreaterThan(0);
    expect(
      answer.body.result.every((item: { chat: { entity_type: string } }) => item.chat.entity_type === 'LINES'),
    ).toBe(true);
  });

  it('filters imopenlines.v2.Session.list and refuses offsets past 10,000', async () => {
    const answer = await call(portal, 'imopenlines.v2.Session.list', { configIdList: [2], status: 'closed', limit: 5 });
    expect(answer.body.result.sessions.length).toBeGreaterThan(0);
    for (const session of answer.body.result.sessions)
      expect([session.configId, session.status]).toEqual([2, 'closed']);
    const restricted = portal.restrictedLineIds()[0];
    const hidden = await call(portal, 'imopenlines.v2.Session.list', { configId: restricted });
    expect(hidden.body.result.sessions).toEqual([]);
    const far = await call(portal, 'imopenlines.v2.Session.list', { offset: 10_001 });
    expect([far.status, far.body.error]).toEqual([400, 'OFFSET_TOO_LARGE']);
  });

  it('answers imopenlines.v2.Session.list with the documented fields, filters, orders and filter errors', async () => {
    const list = (params: Record<string, unknown>) => call(portal, 'imopenlines.v2.Session.list', params);
    const sessions = async (params: Record<string, unknown>) =>
      (await list({ limit: 200, ...params })).body.result.sessions;
    const all = await sessions({});
    expect(all.some((s: { operatorId: number | null }) => s.operatorId === null)).toBe(true);
    expect(all.every((s: { operatorId: number | null }) => s.operatorId === null || s.operatorId > 0)).toBe(true);
    expect(all.filter((s: { crmEntityType: string | null }) => s.crmEntityType !== null)[0].crmEntityType).toBe('lead');
    expect(all[0].userCode).not.toContain('|');
    for (const s of await sessions({ vote: 'dislike' })) expect(s.vote).toBe('dislike');
    for (const s of await sessions({ vote: 'any' })) expect(s.vote).not.toBe('none');
    expect(await sessions({ hasVoteHead: 'Y' })).toEqual([]);
    for (const s of await sessions({ hasCrm: 'N' })) expect(s.crmEntityId).toBeNull();
    for (const s of await sessions({ waitAnswerFrom: 30, waitAnswerTo: 90 })) {
      expect(s.waitAnswer).toBeGreaterThanOrEqual(30);
      expect(s.waitAnswer).toBeLessThanOrEqual(90);
    }
    // A list filter wins over the single one.
    for (const s of await sessions({ configId: 1, configIdList: [2] })) expect(s.configId).toBe(2);
    // Without a full period the portal sorts by creation date whatever the order asked.
    const byWait = await sessions({ order: 'waitAnswer', orderDirection: 'asc' });
    expect(byWait.map((s: { id: number }) => s.id)).toEqual(
      (await sessions({ order: 'dateCreate', orderDirection: 'asc' })).map((s: { id: number }) => s.id),
    );
    const period = { dateCreateFrom: '2000-01-01T00:00:00+00:00', dateCreateTo: '2000-12-31T00:00:00+00:00' };
    expect((await list({ ...period, kpiFirstAnswer: 'Y' })).status).toBe(200);
    for (const [params, code] of [
      [{ kpiFirstAnswer: 'Y' }, 'INVALID_FILTER'],
      [{ vote: 'meh' }, 'INVALID_FILTER'],
      [{ hasCrm: 'maybe' }, 'INVALID_FILTER'],
      [{ waitAnswerFrom: 90, waitAnswerTo: 30 }, 'INVALID_FILTER'],
      [{ dateCreateFrom: '2026-02-01T00:00:00Z', dateCreateTo: '2026-01-01T00:00:00Z' }, 'INVALID_FILTER'],
      [{ configIdList: Array.from({ length: 1001 }, (_, i) => i + 1) }, 'INVALID_FILTER'],
    ] as const) {
      const answer = await list(params);
      expect([answer.status, answer.body.error]).toEqual([400, code]);
    }
  });

  it('answers imopenlines.v2.Operator.list as documented: load fields, paging, filters and their errors', async () => {
    const all = await call(portal, 'imopenlines.v2.Operator.list', { limit: 200 });
    const [first] = all.body.result.operators;
    expect(Object.keys(first).sort()).toEqual(
      ['activeSessions', 'configId', 'freeSlots', 'lastActivityDate', 'maxChat', 'status', 'userId'].sort(),
    );
    expect(all.body.result.hasNextPage).toBe(false);
    const statuses = new Set(all.body.result.operators.map((op: { status: string }) => op.status));
    expect([...statuses].every((status) => ['online', 'offline', 'pause'].includes(status as string))).toBe(true);
    const page = await call(portal, 'imopenlines.v2.Operator.list', { limit: 2 });
    expect(page.body.result).toMatchObject({ hasNextPage: true });
    expect(page.body.result.operators).toHaveLength(2);
    const paused = await call(portal, 'imopenlines.v2.Operator.list', { status: 'pause' });
    expect(paused.body.result.operators.every((op: { status: string }) => op.status === 'pause')).toBe(true);
    const listWins = await call(portal, 'imopenlines.v2.Operator.list', { userId: 2, userIdList: [3] });
    expect(listWins.body.result.operators.every((op: { userId: number }) => op.userId === 3)).toBe(true);
    const free = await call(portal, 'imopenlines.v2.Operator.list', { hasFreeSlots: 'N' });
    expect(free.body.result.operators.every((op: { freeSlots: number }) => op.freeSlots === 0)).toBe(true);
    for (const [params, code] of [
      [{ status: 'away' }, 'INVALID_FILTER'],
      [{ hasFreeSlots: 'maybe' }, 'INVALID_FILTER'],
      [{ limit: 201 }, 'INVALID_FILTER'],
      [{ status: 'online', offset: 10_001 }, 'OFFSET_TOO_LARGE'],
    ] as const) {
      const answer = await call(portal, 'imopenlines.v2.Operator.list', params);
      expect([answer.status, answer.body.error]).toEqual([400, code]);
    }
    const names = await call(portal, 'user.get', { FILTER: { ID: [first.userId] } });
    expect(names.body.result).toMatchObject([{ ID: String(first.userId), NAME: expect.any(String) }]);
  });

  it('lists operators per line and the lines with their queues', async () => {
    const operators = await call(portal, 'imopenlines.v2.Operator.list');
    expect(operators.body.result.operators.length).toBeGreaterThan(3);
    const lines = await post(`${portal.webhookUrl}imopenlines.config.list.get.json?OPTIONS[QUEUE]=Y`);
    expect(lines.body.result.length).toBeGreaterThanOrEqual(4);
    expect(lines.body.result[0].QUEUE_USERS_FIELDS).toBeTypeOf('object');
  });
});

describe('auth, scopes and unknown methods', () => {
  it('answers 401 INVALID_CREDENTIALS for a wrong webhook code and NO_AUTH_FOUND without auth', async () => {
    const wrong = await post(`${portal.origin}/rest/1/wrongcode/profile`);
    expect([wrong.status, wrong.body.error]).toEqual([401, 'INVALID_CREDENTIALS']);
    const none = await post(`${portal.origin}/rest/profile`);
    expect([none.status, none.body.error]).toEqual([401, 'NO_AUTH_FOUND']);
  });

  it('answers 404 ERROR_METHOD_NOT_FOUND for an unknown method', async () => {
    const answer = await call(portal, 'imopenlines.nothing.here');
    expect([answer.status, answer.body.error]).toEqual([404, 'ERROR_METHOD_NOT_FOUND']);
  });

  it('reports granted scopes and refuses methods of a dropped scope', async () => {
    portal.setScopes(['im']);
    const scope = await call(portal, 'scope');
    const refused = await call(portal, 'imopenlines.dialog.get', { CHAT_ID: portal.chatIds()[0] });
    const inBatch = await call(portal, 'batch', {
      cmd: { d: `imopenlines.dialog.get?CHAT_ID=${portal.chatIds()[0]}` },
    });
    portal.setScopes(['imopenlines', 'im']);
    expect(scope.body.result).toEqual(['im']);
    expect([refused.status, refused.body.error]).toEqual([403, 'insufficient_scope']);
    expect(inBatch.body.result.result_error.d.error).toBe('insufficient_scope');
  });

  it('rotates both OAuth tokens on refresh and refuses the old refresh token', async () => {
    const { clientEndpoint, tokenUrl, clientId, clientSecret } = portal.oauth;
    const first = { access: portal.oauth.accessToken, refresh: portal.oauth.refreshToken };
    expect((await post(`${clientEndpoint}profile`, { auth: first.access })).status).toBe(200);
    portal.expireAccessToken();
    const expired = await post(`${clientEndpoint}profile`, { auth: first.access });
    expect([expired.status, expired.body.error]).toEqual([401, 'expired_token']);
    const refresh = (token: string) =>
      fetch(
        `${tokenUrl}?${new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: token })}`,
      );
    const rotated = (await (await refresh(first.refresh)).json()) as Record<string, string>;
    expect(rotated.access_token).not.toBe(first.access);
    expect(rotated.refresh_token).not.toBe(first.refresh);
    expect(rotated.client_endpoint).toBe(clientEndpoint);
    expect((await post(`${clientEndpoint}profile?auth=${rotated.access_token}`)).status).toBe(200);
    const stale = await refresh(first.refresh);
    expect([stale.status, ((await stale.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
  });

  it('answers on session.list the way older or cheaper portals do', async () => {
    const absent = await createDemoPortal({ chats: 5, sessionList: 'absent' });
    const tariff = await createDemoPortal({ chats: 5, sessionList: 'tariff' });
    try {
      const a = await call(absent, 'imopenlines.v2.Session.list');
      const t = await call(tariff, 'imopenlines.v2.Session.list');
      expect([a.status, a.body.error]).toEqual([404, 'ERROR_METHOD_NOT_FOUND']);
      expect([t.status, t.body.error]).toEqual([400, 'TARIFF_RESTRICTION']);
    } finally {
      await Promise.all([absent.close(), tariff.close()]);
    }
  });
});
