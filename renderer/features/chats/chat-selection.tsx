// The chats the supervisor picked, and the ids the current filters match. Run actions (renderer/features/runs/)
// read both through useChatSelection() from anywhere inside the chats view, including its toolbar slot.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useReducer } from 'react';
import type { ChatRow } from '../../../app/contract/index.ts';
import { hiddenSelected, NO_SELECTION, nextSelection } from './selection.ts';

export interface ChatSelection {
  profileId: string;
  /** Every selected chat id, including ones the current filters hide. */
  selectedIds: ReadonlySet<number>;
  /** The ids of every chat matching the current filters and search, in table order. */
  filteredIds: readonly number[];
  /** Selected chats the current filters hide. */
  hiddenCount: number;
  /** The listed chat of an id (what a preview shows of the chats it acts on). */
  rowOf(chatId: number): ChatRow | undefined;
  isSelected(chatId: number): boolean;
  toggle(chatId: number, selected: boolean): void;
  /** Selects every chat matching the current filters (or unselects them all). */
  setAllMatching(selected: boolean): void;
  /** Keeps only the selected chats the filters show. */
  narrowToShown(): void;
  clear(): void;
}

const SelectionContext = createContext<ChatSelection | null>(null);

export function ChatSelectionProvider({
  profileId,
  filteredIds,
  byId,
  children,
}: {
  profileId: string;
  filteredIds: readonly number[];
  byId: ReadonlyMap<number, ChatRow>;
  children: ReactNode;
}) {
  const [selectedIds, change] = useReducer(nextSelection, NO_SELECTION);
  const toggle = useCallback((chatId: number, selected: boolean) => change({ kind: 'toggle', chatId, selected }), []);
  const setAllMatching = useCallback(
    (selected: boolean) => change({ kind: 'all-matching', filteredIds, selected }),
    [filteredIds],
  );
  const narrowToShown = useCallback(() => change({ kind: 'narrow', filteredIds }), [filteredIds]);
  const clear = useCallback(() => change({ kind: 'clear' }), []);
  const hiddenCount = useMemo(() => hiddenSelected(filteredIds, selectedIds), [filteredIds, selectedIds]);

  const value = useMemo<ChatSelection>(
    () => ({
      profileId,
      selectedIds,
      filteredIds,
      hiddenCount,
      rowOf: (chatId) => byId.get(chatId),
      isSelected: (chatId) => selectedIds.has(chatId),
      toggle,
      setAllMatching,
      narrowToShown,
      clear,
    }),
    [profileId, selectedIds, filteredIds, hiddenCount, byId, toggle, setAllMatching, narrowToShown, clear],
  );
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useChatSelection(): ChatSelection {
  const selection = useContext(SelectionContext);
  if (!selection) throw new Error('useChatSelection() is used outside the chats view.');
  return selection;
}
