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

/** The lower-case text each row is searched by: built on the first search of a data set, then reused. */
export interface SearchIndex {
  textOf(chat: ChatRow): string;
}

/** No work until something is searched, so a new list paints without indexing 20,000 rows first. */
export function searchIndex(chats: readonly ChatRow[]): SearchIndex {
  let texts: Map<ChatRow, string> | null = null;
  return {
    textOf(chat) {
      if (texts === null) {
        texts = new Map();
        for (const row of chats) texts.set(row, searchText(row));
      }
      return texts.get(chat) ?? searchText(chat);
    },
  };
}

function searchText(chat: ChatRow): string {
  return `${chat.chatId}\n${chat.visitor}\n${chat.lineName}\n${chat.operatorName}\n${chat.sessionId}`.toLowerCase();
}

export function filterChats(chats: readonly ChatRow[], filter: ChatFilter, index: SearchIndex): readonly ChatRow[] {
  const needle = filter.search.trim().toLowerCase();
  if (filter.lineId === ALL && filter.status === ALL && filter.operatorId === ALL && needle === '') return chats;
  return chats.filter((chat) => {
    if (filter.lineId !== ALL && chat.lineId !== filter.lineId) return false;
    if (filter.operatorId !== ALL && chat.operatorId !== filter.operatorId) return false;
    if (filter.status === OPEN_SESSIONS ? !chat.active : filter.status !== ALL && chat.status !== filter.status) {
      return false;
    }
    return needle === '' || index.textOf(chat).includes(needle);
  });
}

/** Waiting chats first (longest wait on top when descending), then by last activity. */
function timeKey(chat: ChatRow): number {
  if (chat.waitingSeconds !== null) return 1e13 + chat.waitingSeconds;
  const at = chat.lastActivity ?? chat.dateCreate;
  return at ? Date.parse(at) || 0 : 0;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** The numeric key of a column, computed once per row per sort rather than in every comparison. */
const NUMERIC_KEYS: Partial<Record<SortColumn, (chat: ChatRow) => number>> = {
  chat: (chat) => chat.chatId,
  status: (chat) => STATUS_ORDER[chat.status],
  session: (chat) => chat.sessionId,
  time: timeKey,
};

const TEXT_KEYS: Partial<Record<SortColumn, (chat: ChatRow) => string>> = {
  line: (chat) => chat.lineName,
  visitor: (chat) => chat.visitor,
  operator: (chat) => chat.operatorName,
};

/** Ascending by the column, ties by chat id; descending is the reverse. */
export function sortChats(chats: readonly ChatRow[], sort: Sort): ChatRow[] {
  const order = Array.from(chats.keys());
  const numericKey = NUMERIC_KEYS[sort.column];
  const textKey = TEXT_KEYS[sort.column];
  const ids = Float64Array.from(chats, (chat) => chat.chatId);
  if (numericKey) {
    const keys = Float64Array.from(chats, numericKey);
    order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || (ids[a] as number) - (ids[b] as number));
  } else if (textKey) {
    const keys = chats.map(textKey);
    order.sort(
      (a, b) => collator.compare(keys[a] as string, keys[b] as string) || (ids[a] as number) - (ids[b] as number),
    );
  }
  const sorted = order.map((position) => chats[position] as ChatRow);
  return sort.direction === 'ascending' ? sorted : sorted.reverse();
}
