// The open-line chats: filters, search, sortable virtualized table, selection for bulk actions, and chat detail.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useCallback, useId, useMemo, useRef, useState } from 'react';
import { type ChatRow, type ChatScope, chatIdSchema, DEFAULT_CLOSED_DAYS } from '../../../app/contract/index.ts';
import { isBridgeError } from '../../bridge/index.ts';
import { formatAge } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import { ChatDetailDialog } from './ChatDetailDialog.tsx';
import { ChatFilters } from './ChatFilters.tsx';
import { ChatScopePicker } from './ChatScopePicker.tsx';
import { ChatsTable } from './ChatsTable.tsx';
import { chatListOptions } from './chat.keys.ts';
import {
  ALL,
  type ChatFilter,
  EMPTY_FILTER,
  filterChats,
  type Sort,
  type SortColumn,
  searchIndex,
  sortChats,
} from './chat-filter.ts';
import { setChatScope, useChatScope } from './chat-scope.ts';
import { ChatSelectionProvider, useChatSelection } from './chat-selection.tsx';

interface ChatsViewProps {
  profileId: string;
  /** Actions on the selection (bulk restart) shown in the toolbar; they may call useChatSelection(). */
  toolbarActions?: ReactNode;
  /** Shown in place of the chats when the host says the profile has no secret yet (SECRET_MISSING). */
  secretPrompt?: (reason: string) => ReactNode;
}

const EMPTY_ROWS: readonly ChatRow[] = [];

export function ChatsView({ profileId, toolbarActions, secretPrompt }: ChatsViewProps) {
  const scope = useChatScope(profileId);
  const list = useQuery(chatListOptions(profileId, scope));
  const [closedDays, setClosedDays] = useState(scope.kind === 'current' ? scope.closedDays : DEFAULT_CLOSED_DAYS);
  const onScope = useCallback(
    (next: ChatScope) => {
      if (next.kind === 'current') setClosedDays(next.closedDays);
      setChatScope(profileId, next);
    },
    [profileId],
  );
  const [filter, setFilter] = useState<ChatFilter>(EMPTY_FILTER);
  const [sort, setSort] = useState<Sort>({ column: 'time', direction: 'descending' });
  const [openChat, setOpenChat] = useState<number | null>(null);
  const now = useNow(15_000);

  const chats = list.data?.chats ?? EMPTY_ROWS;
  const index = useMemo(() => searchIndex(chats), [chats]);
  const sorted = useMemo(() => sortChats(chats, sort), [chats, sort]);
  const rows = useMemo(() => filterChats(sorted, filter, index), [sorted, filter, index]);
  const filteredIds = useMemo(() => rows.map((chat) => chat.chatId), [rows]);
  const byId = useMemo(() => new Map(chats.map((chat) => [chat.chatId, chat])), [chats]);

  const onSort = useCallback((column: SortColumn) => {
    setSort((current) =>
      current.column === column
        ? { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
        : { column, direction: column === 'time' ? 'descending' : 'ascending' },
    );
  }, []);
  const onOpen = useCallback((chat: ChatRow) => setOpenChat(chat.chatId), []);
  const tableBodyRef = useRef<HTMLDivElement>(null);
  const onCloseChat = useCallback(() => {
    setOpenChat(null);
    // The dialog gives the focus back to the button that opened it; when that chat's row has left the list (a
    // started session moved it out of the filter), keep the keyboard user in the table instead of the page top.
    const focused = document.activeElement;
    if (!focused || focused === document.body || !focused.isConnected) tableBodyRef.current?.focus();
  }, []);

  return (
    <ChatSelectionProvider profileId={profileId} filteredIds={filteredIds} byId={byId}>
      <section className="chats-view" aria-labelledby="chats-heading">
        <div className="view-header">
          <h2 id="chats-heading">Open-line chats</h2>
          <p className="muted" role="status">
            {list.data
              ? `${rows.length.toLocaleString()} of ${chats.length.toLocaleString()} chats · updated ${formatAge(list.dataUpdatedAt, now)}`
              : null}
          </p>
        </div>

        <ChatScopePicker scope={scope} onChange={onScope} closedDays={closedDays} />
        <ChatFilters
          filter={filter}
          onChange={setFilter}
          lines={list.data?.lines ?? []}
          operators={list.data?.operators ?? []}
        />

        <div className="toolbar" role="toolbar" aria-label="Chat actions">
          <SelectionSummary />
          <OpenChatById onOpen={setOpenChat} />
          {toolbarActions ? <div className="toolbar-slot">{toolbarActions}</div> : null}
        </div>

        {list.isPending ? (
          <p role="status">{scope.kind === 'history' ? 'Loading older chats…' : 'Loading open-line chats…'}</p>
        ) : null}
        {list.isError && !list.data && secretMissing(list.error) && secretPrompt
          ? secretPrompt(list.error.message)
          : null}
        {list.isError && !list.data && !(secretMissing(list.error) && secretPrompt) ? (
          <p role="alert" className="error-message">
            Could not load the chats: {list.error.message}
          </p>
        ) : null}
        {list.data ? (
          <>
            <ChatsTable rows={rows} sort={sort} onSort={onSort} onOpen={onOpen} now={now} bodyRef={tableBodyRef} />
            {rows.length === 0 ? (
              <p role="status" className="empty">
                {emptyText(filter, chats, list.data.lines)}
              </p>
            ) : null}
          </>
        ) : null}
      </section>
      {openChat !== null ? (
        <ChatDetailDialog
          key={openChat}
          profileId={profileId}
          chatId={openChat}
          row={byId.get(openChat)}
          onClose={onCloseChat}
        />
      ) : null}
    </ChatSelectionProvider>
  );
}

/** Why the table is empty: a line with no chat at all in the list is most likely one the user may not see. */
function emptyText(filter: ChatFilter, chats: readonly ChatRow[], lines: ReadonlyArray<{ id: number; name: string }>) {
  if (filter.lineId !== ALL && !chats.some((chat) => chat.lineId === filter.lineId)) {
    const name = lines.find((line) => line.id === filter.lineId)?.name ?? `Line #${filter.lineId}`;
    return `No chat of “${name}” is in this list. Bitrix24 leaves out the sessions of lines your user has no access to in reports; ask a portal administrator if you expected some.`;
  }
  return 'No chats match these filters.';
}

function secretMissing(error: unknown): boolean {
  return isBridgeError(error) && error.code === 'SECRET_MISSING';
}

function SelectionSummary() {
  const selection = useChatSelection();
  const count = selection.selectedIds.size;
  const hidden = selection.hiddenCount;
  return (
    <div className="selection-summary">
      <span role="status">
        {count === 0
          ? 'No chats selected'
          : hidden === 0
            ? `${count.toLocaleString()} selected`
            : `${count.toLocaleString()} selected, ${(count - hidden).toLocaleString()} shown`}
      </span>
      {hidden > 0 ? (
        <button type="button" onClick={selection.narrowToShown}>
          Keep only shown
        </button>
      ) : null}
      {count > 0 ? (
        <button type="button" onClick={selection.clear}>
          Clear selection
        </button>
      ) : null}
    </div>
  );
}

function OpenChatById({ onOpen }: { onOpen(chatId: number): void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = chatIdSchema.safeParse(/^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN);
    if (!parsed.success) {
      setError('A chat ID is a positive whole number.');
      return;
    }
    setError(null);
    onOpen(parsed.data);
  };
  return (
    <form className="open-by-id" aria-label="Open chat by ID" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-chat`}>Chat ID</label>
      <input
        id={`${id}-chat`}
        inputMode="numeric"
        size={10}
        value={value}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit">Open chat</button>
      {error ? (
        <span id={`${id}-error`} role="alert" className="error-inline">
          {error}
        </span>
      ) : null}
    </form>
  );
}
