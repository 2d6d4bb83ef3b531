import { afterEach, describe, expect, it } from 'vitest';
import { chatListSchema } from '../../contract/index.ts';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../../demo-portal/types.ts';
import { createBitrix24Client } from '../bitrix24/client.ts';
import { Bitrix24Error } from '../bitrix24/errors.ts';
import { readChatDetail } from './chat-detail.ts';
import { ChatLister } from './chat-list.ts';
import { startSession } from './session-start.ts';

let portal: DemoPortal | null = null;

afterEach(async () => {
  await portal?.close();
  portal = null;
});

async function setUp(options: DemoPortalOptions = {}) {
  portal = await createDemoPortal({ chats: 60, ...options });
  const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
  return { portal, client };
}

const DAY = 86_400_000;

/** The chats the working view must hold: every accessible chat whose session is open or closed in the last N days. */
function workingSet(portal: DemoPortal, closedDays = 2): number[] {
  const horizon = Date.now() - closedDays * DAY;
  return portal
    .chatIds()
    .filter((id) => {
      const chat = portal.chat(id)!;
      return chat.accessible && (chat.status < 60 || Date.parse(chat.dateClose!) >= horizon);
    })
    .sort((a, b) => a - b);
}

const idsOf = (list: { chats: Array<{ chatId: number }> }): number[] =>
  list.chats.map((row) => row.chatId).sort((a, b) => a - b);

describe('chat list', () => {
  it('lists open chats and those closed in the last two days through imopenlines.v2.Session.list, with line, visitor, status and operator', async () => {
    const { portal, client } = await setUp();
    const list = await new ChatLister(client).list();
    expect(chatListSchema.parse(list)).toBeTruthy();
    expect(list.source).toBe('session-list');
    expect(list.scope).toEqual({ kind: 'current', closedDays: 2 });
    const expected = workingSet(portal);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(portal.chatIds().length);
    expect(idsOf(list)).toEqual(expected);
    for (const row of list.chats) {
      const chat = portal.chat(row.chatId)!;
      expect(row.sessionId).toBe(chat.sessionId);
      expect(row.lineId).toBe(chat.lineId);
      expect(row.visitor).toBe(chat.visitorName);
      expect(row.active).toBe(chat.status < 60);
      expect(row.lineName).not.toBe('');
    }
    expect(portal.counters.calls['imopenlines.v2.Session.list']).toBeGreaterThan(0);
    expect(portal.counters.calls['im.recent.list'] ?? 0).toBe(0);
  });

  it.each(['absent', 'tariff'] as const)(
    'falls back to im.recent.list when Session.list is %s',
    async (sessionList) => {
      const { portal, client } = await setUp({ sessionList });
      const list = await new ChatLister(client).list();
      expect(list.source).toBe('recent');
      expect(chatListSchema.parse(list)).toBeTruthy();
      expect(list.chats.length).toBeGreaterThan(0);
      for (const row of list.chats) {
        const chat = portal.chat(row.chatId)!;
        expect(row.sessionId).toBe(chat.sessionId);
        expect(row.visitor).toBe(chat.visitorName);
      }
      expect(portal.counters.calls['im.recent.list']).toBeGreaterThan(0);
    },
  );

  it('shows 20,000 open chats: a status past offset 10,000 is paged in date windows, pages ride in batches', async () => {
    const { portal, client } = await setUp({ chats: 45_000 });
    const list = await new ChatLister(client, { dialogLookupsPerList: 0 }).list();
    const expected = workingSet(portal);
    expect(list.chats.filter((row) => row.active).length).toBeGreaterThan(20_000);
    expect(idsOf(list)).toEqual(expected);
    // Over 100 pages of 200 in a handful of requests (lines, operators and their names take three of them).
    expect(portal.counters.requests).toBeLessThan(12);
  }, 60_000);
});

describe('chat list on a portal with years of history', () => {
  const history = { sessions: 300_000 };

  it('reads the working view without paging the history, and an idle refresh costs one request', async () => {
    // About 3,000 open chats among 300,000 historic sessions; names are left out (dialog.get is measured by the bench).
    const { portal, client } = await setUp({ chats: 6_000, history });
    const lister = new ChatLister(client, { dialogLookupsPerList: 0 });
    const first = await lister.list();
    expect(first.chats.filter((row) => row.active).length).toBeGreaterThan(2_900);
    expect(idsOf(first)).toEqual(workingSet(portal));
    // 3,000 open sessions are 16 pages over three statuses; 300,000 closed ones would be 1,500.
    expect(portal.counters.calls['imopenlines.v2.Session.list']).toBeLessThan(30);
    portal.resetCounters();
    const refresh = await lister.list();
    expect(idsOf(refresh)).toEqual(workingSet(portal));
    expect(portal.counters.requests).toBe(1);
    expect(portal.counters.calls['imopenlines.dialog.get'] ?? 0).toBe(0);
  }, 60_000);

  it('a refresh shows a session started and one closed since the last read', async () => {
    const { portal, client } = await setUp({ chats: 300, history: { sessions: 20_000 } });
    const lister = new ChatLister(client);
    const first = await lister.list();
    const old = portal.chatIds().find((id) => {
      const chat = portal.chat(id)!;
      return chat.accessible && chat.status >= 60 && !first.chats.some((row) => row.chatId === id);
    })!;
    const open = first.chats.find((row) => row.active && row.status !== 'new')!;
    expect(old).toBeDefined();
    await startSession(client, old);
    await client.call('imopenlines.operator.another.finish', { CHAT_ID: open.chatId });
    const refresh = await lister.list();
    const started = refresh.chats.find((row) => row.chatId === old)!;
    expect(started.active).toBe(true);
    expect(started.sessionId).toBe(portal.chat(old)!.sessionId);
    const closed = refresh.chats.find((row) => row.chatId === open.chatId)!;
    expect(closed.status).toBe('closed');
    expect(idsOf(refresh)).toEqual(workingSet(portal));
  });

  it('widens to the days asked for, and reads older chats on demand for a range of days', async () => {
    const { portal, client } = await setUp({ chats: 300, history: { sessions: 20_000, days: 400 } });
    const lister = new ChatLister(client);
    const week = await lister.list(undefined, { kind: 'current', closedDays: 7 });
    expect(idsOf(week)).toEqual(workingSet(portal, 7));
    expect(week.chats.length).toBeGreaterThan(workingSet(portal, 2).length);
    const day = (ms: number): string => {
      const date = new Date(ms);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    };
    const from = day(Date.now() - 200 * DAY);
    const to = day(Date.now() - 150 * DAY);
    const range = await lister.list(undefined, { kind: 'history', from, to });
    expect(range.scope).toEqual({ kind: 'history', from, to });
    expect(range.chats.length).toBeGreaterThan(100);
    for (const row of range.chats) {
      const created = new Date(row.dateCreate!);
      expect(day(created.getTime()) >= from && day(created.getTime()) <= to).toBe(true);
      expect(row.status).toBe('closed');
    }
    // The working view is still kept: back to it, the refresh is incremental.
    portal.resetCounters();
    await lister.list(undefined, { kind: 'current', closedDays: 7 });
    expect(portal.counters.requests).toBe(1);
  });
});

describe('chat detail', () => {
  it('returns the dialog and its session history as text', async () => {
    const { portal, client } = await setUp();
    const chatId = portal.chatIds()[0]!;
    const detail = await readChatDetail(client, chatId);
    expect(detail.chatId).toBe(chatId);
    expect(detail.sessionId).toBe(portal.chat(chatId)!.sessionId);
    expect(detail.messages.length).toBeGreaterThan(0);
    for (const message of detail.messages) expect(typeof message.text).toBe('string');
  });
});

describe('session start', () => {
  it('tells a new session from one that was already active', async () => {
    const { portal, client } = await setUp();
    const closed = portal.chatIds().find((id) => portal.chat(id)!.status >= 60)!;
    const before = portal.chat(closed)!.sessionId;
    const started = await startSession(client, closed);
    expect(started.outcome).toBe('started');
    expect(started.sessionId).not.toBe(before);
    expect(portal.chat(closed)!.sessionId).toBe(started.sessionId);
    const again = await startSession(client, closed);
    expect(again).toEqual({ chatId: closed, outcome: 'already-active', sessionId: started.sessionId });
  });

  it('passes on the portal errors CHAT_ID, CHAT_TYPE and ACCESS_DENIED', async () => {
    const { portal, client } = await setUp();
    const codeOf = (chatId: number) =>
      startSession(client, chatId).then(
        () => 'no error',
        (error: unknown) => (error instanceof Bitrix24Error ? error.code : String(error)),
      );
    const restricted = portal.chatIds().find((id) => !portal.chat(id)!.accessible)!;
    expect(await codeOf(999_999_999)).toBe('CHAT_ID');
    expect(await codeOf(portal.groupChatIds()[0]!)).toBe('CHAT_TYPE');
    expect(await codeOf(restricted)).toBe('ACCESS_DENIED');
    expect(portal.counters.sessionStarts.size).toBe(0);
  });
});
