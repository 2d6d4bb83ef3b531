// The fallback list for portals without `imopenlines.v2.Session.list` (or whose plan forbids it): the caller's own
// open-line chats from `im.recent.list`, completed by `imopenlines.dialog.get` in batches (fact sheet §7.1, §6.3).
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { lineIdFromUserCode, parseSessionField } from './dialog.ts';
import { asInt, asIsoDate, asRecord, asText, type Json, latestIso } from './lenient.ts';
import { pageThrough } from './pager.ts';

const PAGE = 200;
/** im.recent.list has no documented offset cap; this bounds a portal that never says `hasMore: false`. */
const MAX_OFFSET = 200_000;

export interface RecentChat {
  chatId: number;
  title: string;
  userCode: string;
  lineId: number;
  sessionId: number;
  ownerId: number;
  /** Session STATUS integer from `lines.status`; present only when the caller is an open-lines operator. */
  statusCode: number | null;
  dateCreate: string | null;
  lastActivity: string | null;
  /** The item lacked the chat's session data, so `imopenlines.dialog.get` has to complete it. */
  incomplete: boolean;
}

function isOpenLine(item: Json, chat: Json): boolean {
  return (
    asText(chat.type) === 'lines' ||
    asText(chat.entity_type).toUpperCase() === 'LINES' ||
    asText(chat.message_type) === 'L' ||
    item.lines !== undefined
  );
}

export function readRecent(raw: unknown): RecentChat | null {
  const item = asRecord(raw);
  const chat = asRecord(item.chat);
  if (asText(item.type) !== 'chat' && item.chat === undefined) return null;
  if (!isOpenLine(item, chat)) return null;
  const chatId = asInt(item.chat_id) || asInt(chat.id) || asInt(asText(item.id).replace(/^chat/, ''));
  if (chatId <= 0) return null;
  const lines = item.lines === undefined ? null : asRecord(item.lines);
  const userCode = asText(chat.entity_id);
  const session = parseSessionField(chat.entity_data_1);
  const message = asRecord(item.message);
  return {
    chatId,
    title: asText(item.title) || asText(chat.name),
    userCode,
    lineId: session.lineId || lineIdFromUserCode(userCode),
    // `lines.id` is the session id by the source but the line id by the docs (UNCONFIRMED): the session string
    // decides, and `lines.id` stands in only where the item carries none.
    sessionId: session.sessionId || (lines ? asInt(lines.id) : 0),
    ownerId: asInt(chat.owner),
    statusCode: lines && lines.status !== undefined ? asInt(lines.status, -1) : null,
    dateCreate: (lines ? asIsoDate(lines.date_create) : null) ?? session.dateCreate ?? asIsoDate(chat.date_create),
    lastActivity: latestIso(asIsoDate(item.date_last_activity), asIsoDate(item.date_update), asIsoDate(message.date)),
    incomplete: chat.entity_data_1 === undefined || chat.owner === undefined || !userCode,
  };
}

export async function listRecentOpenLineChats(
  client: Bitrix24Client,
  signal?: AbortSignal,
): Promise<{ chats: RecentChat[]; requests: number }> {
  const page = await pageThrough(client, {
    method: 'im.recent.list',
    pageSize: PAGE,
    maxOffset: MAX_OFFSET,
    signal,
    // What the server's list reads: ONLY_OPENLINES is im.recent.get's only; skipping chats (C) and one-to-one
    // dialogs (P) leaves the open lines (L), which readRecent still checks item by item.
    params: (offset) => ({ SKIP_DIALOG: 'Y', SKIP_CHAT: 'Y', LIMIT: PAGE, OFFSET: offset }),
    read: (result) => {
      const record = asRecord(result);
      const items = Array.isArray(result) ? result : Array.isArray(record.items) ? record.items : [];
      const more = record.hasMore === true || record.hasMorePages === true;
      return { items: items.map(readRecent).filter((chat): chat is RecentChat => chat !== null), more };
    },
  });
  // Pages may overlap (the docs say so): keep one entry per chat.
  const byChat = new Map<number, RecentChat>();
  for (const chat of page.items) if (!byChat.has(chat.chatId)) byChat.set(chat.chatId, chat);
  return { chats: [...byChat.values()], requests: page.requests };
}
