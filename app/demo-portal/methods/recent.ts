// im.recent.list and im.recent.get: the caller's recent list, newest first: open lines (item type L), group chats (C)
// and one-to-one dialogs (P) mixed. SKIP_OPENLINES, SKIP_CHAT and SKIP_DIALOG drop a kind; ONLY_OPENLINES exists
// for im.recent.get only (the server's list ignores it, whatever a client sends).
import { atom, isYes, toInt, upperKeys } from '../format.ts';
import { type DirectDialog, type GroupChat, type OpenLineChat, sessionMessages } from '../seed-data.ts';
import { chatObject } from './dialog.ts';
import {
  DAY,
  type MethodContext,
  type MethodOutput,
  type MethodTable,
  type PortalState,
  type RecentRow,
} from './portal-state.ts';

export function recentMethods(portal: PortalState): MethodTable {
  return {
    'im.recent.list': (ctx) => recentList(portal, ctx),
    'im.recent.get': (ctx) => recentGet(portal, ctx),
  };
}

/** The caller's recent list, newest first, cached per flag combination until the next write. */
function recentItems(portal: PortalState, params: Record<string, unknown>, method: 'list' | 'get'): RecentRow[] {
  const onlyLines = method === 'get' && isYes(params.ONLY_OPENLINES);
  const skipLines = isYes(params.SKIP_OPENLINES);
  const skipChats = isYes(params.SKIP_CHAT) || onlyLines;
  const skipDialogs = isYes(params.SKIP_DIALOG) || onlyLines;
  const cacheKey = `${skipLines}|${skipChats}|${skipDialogs}`;
  const cached = portal.sortedRecent.get(cacheKey);
  if (cached?.version === portal.version) return cached.rows;
  const rows: RecentRow[] = [];
  if (!skipLines) {
    for (const chat of portal.data.chats.values()) {
      if (!chat.callerIsMember || !portal.line(chat.lineId)?.accessible) continue;
      rows.push({ lastActivity: chat.lastActivity, item: () => recentLinesItem(portal, chat) });
    }
  }
  if (!skipChats) {
    for (const group of portal.data.groupChats.values()) {
      rows.push({ lastActivity: group.lastActivity, item: () => groupItem(group) });
    }
  }
  if (!skipDialogs) {
    for (const dialog of portal.data.directDialogs) {
      rows.push({ lastActivity: dialog.lastActivity, item: () => dialogItem(dialog) });
    }
  }
  rows.sort((a, b) => b.lastActivity - a.lastActivity);
  portal.sortedRecent.set(cacheKey, { version: portal.version, rows });
  return rows;
}

function recentLinesItem(portal: PortalState, chat: OpenLineChat): unknown {
  const chatInfo = chatObject(portal, chat);
  const messages = sessionMessages(chat.session, chat);
  const last = messages[messages.length - 1];
  return recentItem({
    id: `chat${chat.chatId}`,
    chatId: chat.chatId,
    type: 'chat',
    color: '#4ba984',
    title: String(chatInfo.name),
    message: { id: last?.id ?? 0, text: last?.text ?? '', authorId: last?.authorId ?? 0 },
    lastActivity: chat.lastActivity,
    extra: {
      user: { id: 0 },
      chat: chatInfo,
      lines: { id: chat.session.id, status: chat.session.status, date_create: atom(chat.session.dateCreate) },
    },
  });
}

function groupItem(group: GroupChat): unknown {
  return recentItem({
    id: `chat${group.chatId}`,
    chatId: group.chatId,
    type: 'chat',
    color: '#5e5f5e',
    title: group.title,
    message: { id: group.chatId * 10, text: 'Morning, team!', authorId: 2 },
    lastActivity: group.lastActivity,
    extra: {
      user: { id: 0 },
      chat: {
        id: group.chatId,
        name: group.title,
        owner: 1,
        type: 'chat',
        entity_type: '',
        entity_id: '',
        entity_data_1: '',
        message_type: 'C',
        date_create: atom(group.lastActivity - 90 * DAY),
        role: 'member',
      },
    },
  });
}

/** A one-to-one dialog as the recent list shows it: a `user` item, no `chat` object. */
function dialogItem(dialog: DirectDialog): unknown {
  return recentItem({
    id: String(dialog.userId),
    chatId: dialog.chatId,
    type: 'user',
    color: '#df532d',
    title: dialog.name,
    message: { id: dialog.chatId * 10, text: 'See you tomorrow', authorId: dialog.userId },
    lastActivity: dialog.lastActivity,
    extra: { user: { id: dialog.userId, name: dialog.name, active: true, bot: false, extranet: false } },
  });
}

interface RecentItemFields {
  id: string;
  chatId: number;
  type: 'chat' | 'user';
  color: string;
  title: string;
  message: { id: number; text: string; authorId: number };
  lastActivity: number;
  /** What the kind adds: `user`, `chat`, `lines`. */
  extra: Record<string, unknown>;
}

/** The fields every recent item has, in the order the messenger sends them. */
function recentItem(fields: RecentItemFields): unknown {
  const { message, lastActivity } = fields;
  return {
    id: fields.id,
    chat_id: fields.chatId,
    type: fields.type,
    avatar: { url: '', color: fields.color },
    title: fields.title,
    message: {
      id: message.id,
      text: message.text,
      file: false,
      author_id: message.authorId,
      attach: false,
      date: atom(lastActivity),
      status: 'received',
      uuid: null,
    },
    counter: 0,
    last_id: message.id,
    pinned: false,
    unread: false,
    has_reminder: false,
    date_update: atom(lastActivity),
    date_last_activity: atom(lastActivity),
    ...fields.extra,
    options: [],
  };
}

function recentList(portal: PortalState, ctx: MethodContext): MethodOutput {
  const params = upperKeys(ctx.params);
  const offset = Math.max(0, toInt(params.OFFSET ?? 0) || 0);
  const limit = Math.min(200, Math.max(1, toInt(params.LIMIT ?? 50) || 50));
  let rows = recentItems(portal, params, 'list');
  if (params.LAST_MESSAGE_DATE !== undefined) {
    const before = Date.parse(String(params.LAST_MESSAGE_DATE));
    if (!Number.isNaN(before)) rows = rows.filter((row) => row.lastActivity < before);
  }
  const items = rows.slice(offset, offset + limit).map((row) => row.item());
  const hasMore = offset + limit < rows.length;
  return {
    result: { items, hasMore, hasMorePages: hasMore, copilot: null, messagesAutoDeleteConfigs: [] },
    total: -1,
  };
}

function recentGet(portal: PortalState, ctx: MethodContext): MethodOutput {
  const params = upperKeys(ctx.params);
  const since =
    params.LAST_UPDATE !== undefined
      ? Date.parse(String(params.LAST_UPDATE))
      : params.LAST_SYNC_DATE !== undefined
        ? Math.max(Date.parse(String(params.LAST_SYNC_DATE)), Date.now() - 7 * DAY)
        : Date.now() - 30 * DAY;
  const rows = recentItems(portal, params, 'get').filter((row) => Number.isNaN(since) || row.lastActivity > since);
  return { result: rows.map((row) => row.item()) };
}
