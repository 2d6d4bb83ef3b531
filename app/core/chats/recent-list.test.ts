import { describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../bitrix24/client.ts';
import { answer, startStubPortal } from '../bitrix24/testing/stub-portal.ts';
import { listRecentOpenLineChats, readRecent } from './recent-list.ts';

const openLine = {
  type: 'lines',
  entity_type: 'LINES',
  entity_id: 'livechat|7|1761|587',
  entity_data_1: 'Y|LEAD|1209|N|N|343|1773682918|7|0|0',
  owner: 12,
};

// `lines.id` in im.recent.list: the session id by the module's source, the open line's id by the docs (fact sheet
// §7.1, UNCONFIRMED). Both readings must give the chat its real session.
describe('an im.recent.list item', () => {
  const chat = openLine;

  it('takes the session id from the session string, whichever id `lines` carries', () => {
    const asLineId = readRecent({ type: 'chat', chat_id: 1763, chat, lines: { id: 7, status: 20 } });
    const asSessionId = readRecent({ type: 'chat', chat_id: 1763, chat, lines: { id: 343, status: 20 } });
    expect(asLineId).toMatchObject({ chatId: 1763, sessionId: 343, lineId: 7, incomplete: false });
    expect(asSessionId).toMatchObject({ chatId: 1763, sessionId: 343, lineId: 7, incomplete: false });
  });

  it('falls back on `lines.id` only without a session string, and asks for the dialog to complete it', () => {
    const { entity_data_1: _omitted, ...bare } = chat;
    const item = readRecent({ type: 'chat', chat_id: 1763, chat: bare, lines: { id: 343, status: 20 } });
    expect(item).toMatchObject({ sessionId: 343, lineId: 7, incomplete: true });
  });
});

describe('the im.recent.list fallback', () => {
  it('asks for what the server reads (no chats, no dialogs) and keeps only the open lines of a mixed answer', async () => {
    const items = [
      { id: 'chat1763', chat_id: 1763, type: 'chat', chat: { ...openLine, id: 1763 } },
      { id: 'chat101', chat_id: 101, type: 'chat', chat: { id: 101, type: 'chat', message_type: 'C' } },
      { id: '5', chat_id: 201, type: 'user', user: { id: 5 } },
    ];
    const portal = await startStubPortal((_request, res) =>
      answer(res, 200, { result: { items, hasMore: false }, total: -1 }),
    );
    try {
      const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
      const { chats } = await listRecentOpenLineChats(client);
      expect(chats.map((chat) => chat.chatId)).toEqual([1763]);
      const sent = portal.requests[0]?.body as Record<string, unknown>;
      expect(sent).toMatchObject({ SKIP_DIALOG: 'Y', SKIP_CHAT: 'Y', OFFSET: 0 });
      expect(sent).not.toHaveProperty('ONLY_OPENLINES');
    } finally {
      await portal.close();
    }
  });
});
