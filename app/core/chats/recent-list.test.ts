import { describe, expect, it } from 'vitest';
import { readRecent } from './recent-list.ts';

// `lines.id` in im.recent.list: the session id by the module's source, the open line's id by the docs (fact sheet
// §7.1, UNCONFIRMED). Both readings must give the chat its real session.
describe('an im.recent.list item', () => {
  const chat = {
    type: 'lines',
    entity_type: 'LINES',
    entity_id: 'livechat|7|1761|587',
    entity_data_1: 'Y|LEAD|1209|N|N|343|1773682918|7|0|0',
    owner: 12,
  };

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
