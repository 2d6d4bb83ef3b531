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

describe('chat list', () => {
  it('lists every open-line chat through imopenlines.v2.Session.list with line, visitor, status and operator', async () => {
    const { portal, client } = await setUp();
    const list = await new ChatLister(client).list();
    expect(chatListSchema.parse(list)).toBeTruthy();
    expect(list.source).toBe('session-list');
    const accessible = portal.chatIds().filter((id) => portal.chat(id)!.accessible);
    expect(list.chats.map((row) => row.chatId).sort()).toEqual(accessible.sort());
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

  it('pages past offset 10,000 by date windows and lists 20,000 chats in a few requests', async () => {
    const { portal, client } = await setUp({ chats: 20_000 });
    const list = await new ChatLister(client, { dialogLookupsPerList: 500 }).list();
    const accessible = portal.chatIds().filter((id) => portal.chat(id)!.accessible);
    expect(accessible.length).toBeGreaterThan(15_000);
    expect(list.chats.map((row) => row.chatId).sort()).toEqual(accessible.sort());
    // 20,000 chats in a few dozen HTTP requests: pages ride in batches, names are read for 500 chats this time.
    expect(portal.counters.requests).toBeLessThan(60);
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
