// Filtering and sorting the chat list: pure functions, cheap enough to run on every keystroke over 20,000 rows.
import type { ChatRow, SessionStatus } from '../../../app/contract/index.ts';

export type SortColumn = 'chat' | 'line' | 'visitor' | 'status' | 'operator' | 'session' | 'time';
export type SortDirection = 'ascending' | 'descending';
export type Sort = { column: SortColumn; direction: SortDirection };

export const ALL = 'all';
export const OPEN_SESSIONS = 'open';

export interface ChatFilter {
  lineId: number | typeof ALL;
  /** A status, every open session, or all. */
  status: SessionStatus | typeof OPEN_SESSIONS | typeof ALL;
  operatorId: number | typeof ALL;
  search: string;
}

export const EMPTY_FILTER: ChatFilter = { lineId: ALL, status: ALL, operatorId: ALL, search: '' };

export const STATUS_LABELS: Record<SessionStatus, string> = {
  new: 'New',
  skipped: 'Skipped',
  answered: 'Answered',
  'client-waiting': 'Client waiting',
  'operator-replied': 'Operator replied',
  closing: 'Closing',
  closed: 'Closed',
  spam: 'Spam',
};

const STATUS_ORDER: Record<SessionStatus, number> = {
  new: 0,
  skipped: 1,
  answered: 2,
  'client-waiting': 3,
  'operator-replied': 4,
  closing: 5,
  closed: 6,
  spam: 7,
};

/** Lower-case text each row is searched by, built once per data set rather than per keystroke. */
export function searchIndex(chats: readonly ChatRow[]): Map<ChatRow, string> {
  const index = new Map<ChatRow, string>();
  for (const chat of chats) {
    index.set(
      chat,
      `${chat.chatId}\n${chat.visitor}\n${chat.lineName}\n${chat.operatorName}\n${chat.sessionId}`.toLowerCase(),
    );
  }
  return index;
}

export function filterChats(
  chats: readonly ChatRow[],
  filter: ChatFilter,
  index: Map<ChatRow, string>,
): readonly ChatRow[] {
  const needle = filter.search.trim().toLowerCase();
  if (filter.lineId === ALL && filter.status === ALL && filter.operatorId === ALL && needle === '') return chats;
  return chats.filter((chat) => {
    if (filter.lineId !== ALL && chat.lineId !== filter.lineId) return false;
    if (filter.operatorId !== ALL && chat.operatorId !== filter.operatorId) return false;
    if (filter.status === OPEN_SESSIONS ? !chat.active : filter.status !== ALL && chat.status !== filter.status) {
      return false;
    }
    return needle === '' || (index.get(chat) ?? '').includes(needle);
  });
}

function timeKey(chat: ChatRow): number {
  // Waiting chats first (longest wait on top when descending), then by last activity.
  if (chat.waitingSeconds !== null) return 1e13 + chat.waitingSeconds;
  const at = chat.lastActivity ?? chat.dateCreate;
  return at ? Date.parse(at) || 0 : 0;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function compareChats(column: SortColumn): (a: ChatRow, b: ChatRow) => number {
  switch (column) {
    case 'chat':
      return (a, b) => a.chatId - b.chatId;
    case 'line':
      return (a, b) => collator.compare(a.lineName, b.lineName) || a.chatId - b.chatId;
    case 'visitor':
      return (a, b) => collator.compare(a.visitor, b.visitor) || a.chatId - b.chatId;
    case 'status':
      return (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.chatId - b.chatId;
    case 'operator':
      return (a, b) => collator.compare(a.operatorName, b.operatorName) || a.chatId - b.chatId;
    case 'session':
      return (a, b) => a.sessionId - b.sessionId || a.chatId - b.chatId;
    case 'time':
      return (a, b) => timeKey(a) - timeKey(b) || a.chatId - b.chatId;
  }
}

export function sortChats(chats: readonly ChatRow[], sort: Sort): ChatRow[] {
  const compare = compareChats(sort.column);
  const sorted = [...chats].sort(compare);
  return sort.direction === 'ascending' ? sorted : sorted.reverse();
}
