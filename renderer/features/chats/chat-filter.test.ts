import { describe, expect, it } from 'vitest';
import type { ChatRow } from '../../../app/contract/index.ts';
import { ALL, EMPTY_FILTER, filterChats, OPEN_SESSIONS, searchIndex, sortChats } from './chat-filter.ts';

function chat(chatId: number, patch: Partial<ChatRow> = {}): ChatRow {
  return {
    chatId,
    lineId: 1,
    lineName: 'Sales',
    visitor: `Visitor ${chatId}`,
    status: 'new',
    active: true,
    operatorId: 0,
    operatorName: '',
    sessionId: chatId * 10,
    dateCreate: '2026-01-01T10:00:00Z',
    lastActivity: null,
    waitingSeconds: null,
    ...patch,
  };
}

const chats = [
  chat(1, { visitor: 'Анна <b>bold</b>', lineId: 2, lineName: 'Support', status: 'closed', active: false }),
  chat(2, { operatorId: 7, operatorName: 'Olga', status: 'client-waiting', waitingSeconds: 600 }),
  chat(3, { visitor: '<script>alert(1)</script>', waitingSeconds: 30 }),
];
const index = searchIndex(chats);

describe('filterChats', () => {
  it('returns the same array when nothing filters', () => {
    expect(filterChats(chats, EMPTY_FILTER, index)).toBe(chats);
  });

  it('filters by line, operator and status together', () => {
    expect(filterChats(chats, { ...EMPTY_FILTER, lineId: 2 }, index).map((c) => c.chatId)).toEqual([1]);
    expect(filterChats(chats, { ...EMPTY_FILTER, operatorId: 7 }, index).map((c) => c.chatId)).toEqual([2]);
    expect(filterChats(chats, { ...EMPTY_FILTER, status: OPEN_SESSIONS }, index).map((c) => c.chatId)).toEqual([2, 3]);
    expect(filterChats(chats, { ...EMPTY_FILTER, status: 'closed', lineId: ALL }, index).map((c) => c.chatId)).toEqual([
      1,
    ]);
  });

  it('searches visitor, operator and ids case-insensitively, markup included as plain text', () => {
    expect(filterChats(chats, { ...EMPTY_FILTER, search: 'анна' }, index).map((c) => c.chatId)).toEqual([1]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: 'OLGA' }, index).map((c) => c.chatId)).toEqual([2]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: '<script>' }, index).map((c) => c.chatId)).toEqual([3]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: '30' }, index).map((c) => c.chatId)).toEqual([3]);
  });

  it('searches line names and session ids, and ignores the spaces around the search', () => {
    expect(filterChats(chats, { ...EMPTY_FILTER, search: 'support' }, index).map((c) => c.chatId)).toEqual([1]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: '20' }, index).map((c) => c.chatId)).toEqual([2]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: '  olga  ' }, index).map((c) => c.chatId)).toEqual([2]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: '   ' }, index)).toBe(chats);
  });

  it('shows only the chats that pass every filter at once', () => {
    const onSales = { ...EMPTY_FILTER, lineId: 1 };
    expect(filterChats(chats, { ...onSales, status: OPEN_SESSIONS }, index).map((c) => c.chatId)).toEqual([2, 3]);
    expect(
      filterChats(chats, { ...onSales, status: OPEN_SESSIONS, search: 'olga' }, index).map((c) => c.chatId),
    ).toEqual([2]);
    expect(filterChats(chats, { ...onSales, status: 'closed' }, index)).toEqual([]);
    expect(filterChats(chats, { ...EMPTY_FILTER, search: 'nobody' }, index)).toEqual([]);
  });
});

describe('sortChats', () => {
  it('sorts by visitor and reverses for descending', () => {
    expect(sortChats(chats, { column: 'visitor', direction: 'ascending' }).map((c) => c.chatId)).toEqual([3, 2, 1]);
    expect(sortChats(chats, { column: 'chat', direction: 'descending' }).map((c) => c.chatId)).toEqual([3, 2, 1]);
  });

  it('puts the longest-waiting chat first when sorting by time descending', () => {
    expect(sortChats(chats, { column: 'time', direction: 'descending' }).map((c) => c.chatId)).toEqual([2, 3, 1]);
  });

  it('orders chats that are not waiting by last activity (or creation), newest first, ties by chat id', () => {
    const idle = [
      chat(10, { lastActivity: '2026-01-02T08:00:00Z' }),
      chat(11, { lastActivity: null, dateCreate: '2026-01-03T08:00:00Z' }),
      chat(12, { lastActivity: '2026-01-02T08:00:00+03:00' }),
      chat(13, { lastActivity: '2026-01-02T08:00:00Z' }),
      chat(14, { lastActivity: null, dateCreate: null }),
      chat(15, { waitingSeconds: 5 }),
    ];
    expect(sortChats(idle, { column: 'time', direction: 'descending' }).map((c) => c.chatId)).toEqual([
      15, 11, 13, 10, 12, 14,
    ]);
    expect(sortChats(idle, { column: 'time', direction: 'ascending' }).map((c) => c.chatId)).toEqual([
      14, 12, 10, 13, 11, 15,
    ]);
  });

  it('sorts by status in workflow order and by operator name', () => {
    const mixed = [
      chat(20, { status: 'closed', operatorName: 'zoe' }),
      chat(21, { status: 'new', operatorName: 'Ärne' }),
      chat(22, { status: 'answered', operatorName: 'Bob' }),
    ];
    expect(sortChats(mixed, { column: 'status', direction: 'ascending' }).map((c) => c.chatId)).toEqual([21, 22, 20]);
    expect(sortChats(mixed, { column: 'operator', direction: 'ascending' }).map((c) => c.chatId)).toEqual([21, 22, 20]);
  });

  it('sorts by line name and by session id', () => {
    expect(sortChats(chats, { column: 'line', direction: 'ascending' }).map((c) => c.chatId)).toEqual([2, 3, 1]);
    const sessions = [chat(30, { sessionId: 900 }), chat(31, { sessionId: 5 }), chat(32, { sessionId: 70 })];
    expect(sortChats(sessions, { column: 'session', direction: 'descending' }).map((c) => c.chatId)).toEqual([
      30, 32, 31,
    ]);
  });

  it('leaves the list it sorts untouched', () => {
    const before = chats.map((c) => c.chatId);
    sortChats(chats, { column: 'time', direction: 'descending' });
    expect(chats.map((c) => c.chatId)).toEqual(before);
  });
});
