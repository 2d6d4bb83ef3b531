// biome-ignore-all lint/a11y/useSemanticElements: virtualized rows are absolutely positioned, which native table layout cannot hold; ARIA table roles carry the semantics instead.
// biome-ignore-all lint/a11y/useFocusableInteractive: rows and headers of a role=table are static; the buttons and checkboxes inside them take focus.
// The open-line chats as an accessible, virtualized table: only the rows in view are in the DOM, and
// aria-rowcount / aria-rowindex tell assistive technology where they sit among all the matching chats.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, type RefObject, useEffect, useMemo, useRef } from 'react';
import type { ChatRow } from '../../../app/contract/index.ts';
import { dateTimeOf, formatAge, formatDuration } from '../../shared/format.ts';
import { type Sort, type SortColumn, STATUS_LABELS } from './chat-filter.ts';
import { markFilterPainted, markRowsRendered } from './chat-perf.ts';
import { useChatSelection } from './chat-selection.tsx';
import { matchingCoverage } from './selection.ts';

const ROW_HEIGHT = 40;

export const COLUMNS: readonly { id: SortColumn; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'line', label: 'Line' },
  { id: 'visitor', label: 'Visitor' },
  { id: 'status', label: 'Status' },
  { id: 'operator', label: 'Operator' },
  { id: 'session', label: 'Session ID' },
  { id: 'time', label: 'Waiting / last activity' },
];

interface ChatsTableProps {
  rows: readonly ChatRow[];
  sort: Sort;
  onSort(column: SortColumn): void;
  onOpen(chat: ChatRow): void;
  now: number;
  /** The scrollable, focusable table: the owner moves the focus there when a closed chat's row is gone. */
  bodyRef: RefObject<HTMLDivElement | null>;
}

export function ChatsTable({ rows, sort, onSort, onOpen, now, bodyRef: scrollRef }: ChatsTableProps) {
  const selection = useChatSelection();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Header and rows scroll in one container (so columns stay under their headings sideways); the rows start
    // below the sticky header row.
    scrollMargin: ROW_HEIGHT,
  });

  useEffect(() => {
    if (rows.length > 0) markRowsRendered();
    markFilterPainted();
  }, [rows]);

  const { filteredIds, selectedIds } = selection;
  const coverage = useMemo(() => matchingCoverage(filteredIds, selectedIds), [filteredIds, selectedIds]);
  const allMatchingSelected = coverage === 'all';
  const someMatchingSelected = coverage === 'some';
  const selectAllRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = someMatchingSelected;
  }, [someMatchingSelected]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      role="table"
      ref={scrollRef}
      aria-label="Open-line chats"
      aria-rowcount={rows.length + 1}
      aria-colcount={COLUMNS.length + 1}
      className="chats-table"
      // Focusable so the list scrolls with the keyboard (arrows, Page Up/Down, Home/End).
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
      tabIndex={0}
    >
      <div role="rowgroup" className="chats-head">
        <div role="row" aria-rowindex={1} className="chat-row">
          <div role="columnheader" aria-colindex={1} className="cell cell-select">
            <input
              ref={selectAllRef}
              type="checkbox"
              aria-label="Select all matching chats"
              checked={allMatchingSelected}
              disabled={filteredIds.length === 0}
              onChange={(event) => selection.setAllMatching(event.target.checked)}
            />
          </div>
          {COLUMNS.map((column, index) => {
            const sorted = sort.column === column.id;
            return (
              <div
                key={column.id}
                role="columnheader"
                aria-colindex={index + 2}
                aria-sort={sorted ? sort.direction : 'none'}
                className={`cell cell-${column.id}`}
              >
                <button type="button" className="sort-button" onClick={() => onSort(column.id)}>
                  {column.label}
                  <span aria-hidden="true" className="sort-mark">
                    {sorted ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup" className="chats-body">
        <div className="chats-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const chat = rows[item.index];
            if (!chat) return null;
            return (
              <ChatRowView
                key={chat.chatId}
                chat={chat}
                rowIndex={item.index + 2}
                top={item.start - ROW_HEIGHT}
                selected={selectedIds.has(chat.chatId)}
                onToggle={selection.toggle}
                onOpen={onOpen}
                now={now}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

interface ChatRowViewProps {
  chat: ChatRow;
  rowIndex: number;
  top: number;
  selected: boolean;
  onToggle(chatId: number, selected: boolean): void;
  onOpen(chat: ChatRow): void;
  now: number;
}

const ChatRowView = memo(function ChatRowView({
  chat,
  rowIndex,
  top,
  selected,
  onToggle,
  onOpen,
  now,
}: ChatRowViewProps) {
  // Portal strings (visitor, line, operator) are React text children: escaped, never parsed as HTML.
  return (
    <div
      role="row"
      aria-rowindex={rowIndex}
      className={selected ? 'chat-row body-row selected' : 'chat-row body-row'}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
    >
      <div role="cell" aria-colindex={1} className="cell cell-select">
        <input
          type="checkbox"
          aria-label={`Select chat ${chat.chatId}`}
          checked={selected}
          onChange={(event) => onToggle(chat.chatId, event.target.checked)}
        />
      </div>
      <div role="cell" aria-colindex={2} className="cell cell-chat">
        <button
          type="button"
          className="link-button"
          aria-label={`Open chat ${chat.chatId}`}
          onClick={() => onOpen(chat)}
        >
          {chat.chatId}
        </button>
      </div>
      <div role="cell" aria-colindex={3} className="cell cell-line" title={chat.lineName}>
        {chat.lineName}
      </div>
      <div role="cell" aria-colindex={4} className="cell cell-visitor" title={chat.visitor}>
        {chat.visitor}
      </div>
      <div role="cell" aria-colindex={5} className="cell cell-status">
        <span className={`status status-${chat.status}`}>{STATUS_LABELS[chat.status]}</span>
      </div>
      <div role="cell" aria-colindex={6} className="cell cell-operator" title={chat.operatorName}>
        {chat.operatorId === 0 ? <span className="muted">Unassigned</span> : chat.operatorName}
      </div>
      <div role="cell" aria-colindex={7} className="cell cell-session">
        {chat.sessionId === 0 ? <span className="muted">none</span> : chat.sessionId}
      </div>
      <div role="cell" aria-colindex={8} className="cell cell-time" title={chatTimeTitle(chat)}>
        {chatTimeText(chat, now)}
      </div>
    </div>
  );
});

/** The absolute time behind the relative one: since when the client waits, or when the chat was last active. */
export function chatTimeTitle(chat: ChatRow): string | undefined {
  const at = chat.waitingSeconds !== null ? chat.dateCreate : (chat.lastActivity ?? chat.dateCreate);
  const time = at ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(time)) return undefined;
  return `${chat.waitingSeconds !== null ? 'Waiting since' : 'Last activity'} ${dateTimeOf(time)}`;
}

export function chatTimeText(chat: ChatRow, now: number): string {
  if (chat.waitingSeconds !== null) return `Waiting ${formatDuration(chat.waitingSeconds)}`;
  const at = chat.lastActivity ?? chat.dateCreate;
  const time = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(time) ? '' : `Active ${formatAge(time, now)}`;
}
