// One chat's detail: `imopenlines.dialog.get` and the session's messages from `imopenlines.session.history.get`
// (fact sheet §6.3, §6.6). Only plain fields travel on: message text is passed as the portal's string and the
// renderer shows it as text; files, attachments and HTML-bearing params are dropped here.
import type { ChatDetail } from '../../contract/index.ts';
import { codeIs } from '../bitrix24/errors.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { getDialog } from './dialog.ts';
import { asInt, asIsoDate, asList, asRecord, asText } from './lenient.ts';

type HistoryMessage = ChatDetail['messages'][number];

function userName(raw: unknown): string {
  const user = asRecord(raw);
  const full = asText(user.name).trim();
  if (full) return full;
  return [asText(user.first_name), asText(user.last_name)].join(' ').trim();
}

export function parseHistory(raw: unknown): { canJoin: boolean; messages: HistoryMessage[] } {
  const history = asRecord(raw);
  const users = asRecord(history.users);
  const messages: HistoryMessage[] = [];
  for (const item of asList(history.message)) {
    const message = asRecord(item);
    const id = asInt(message.id);
    if (id <= 0) continue;
    const senderId = asInt(message.senderid ?? message.senderId ?? message.author_id);
    messages.push({
      id,
      authorName: senderId === 0 ? 'System' : userName(users[String(senderId)]) || `User #${senderId}`,
      date: asIsoDate(message.date) ?? '',
      text: asText(message.text),
    });
  }
  messages.sort((a, b) => a.id - b.id);
  return { canJoin: asText(history.canJoin).toUpperCase() === 'Y', messages };
}

export async function readChatDetail(
  client: Bitrix24Client,
  chatId: number,
  signal?: AbortSignal,
): Promise<ChatDetail> {
  const dialog = await getDialog(client, chatId, signal);
  let history: ReturnType<typeof parseHistory> = { canJoin: false, messages: [] };
  try {
    const { result } = await client.call(
      'imopenlines.session.history.get',
      dialog.sessionId > 0 ? { CHAT_ID: chatId, SESSION_ID: dialog.sessionId } : { CHAT_ID: chatId },
      { idempotent: true, signal },
    );
    history = parseHistory(result);
  } catch (error) {
    // A chat that never had a session has no history to show; that is not a failure of the detail view.
    if (!codeIs(error, 'INVALID_SESSION_ID')) throw error;
  }
  return {
    chatId: dialog.chatId || chatId,
    title: dialog.title,
    userCode: dialog.userCode,
    sessionId: dialog.sessionId,
    lineId: dialog.lineId,
    ownerId: dialog.ownerId,
    canJoin: history.canJoin,
    messages: history.messages,
  };
}
