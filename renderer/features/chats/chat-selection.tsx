// The chats the supervisor picked, and the ids the current filters match. Run actions (renderer/features/runs/)
// read both through useChatSelection() from anywhere inside the chats view, including its toolbar slot.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

export interface ChatSelection {
  profileId: string;
  /** Every selected chat id, including ones the current filters hide. */
  selectedIds: ReadonlySet<number>;
  /** The ids of every chat matching the current filters and search, in table order. */
  filteredIds: readonly number[];
  isSelected(chatId: number): boolean;
  toggle(chatId: number, selected: boolean): void;
  /** Selects every chat matching the current filters (or unselects them all). */
  setAllMatching(selected: boolean): void;
  clear(): void;
}

const SelectionContext = createContext<ChatSelection | null>(null);

export function ChatSelectionProvider({
  profileId,
  filteredIds,
  children,
}: {
  profileId: string;
  filteredIds: readonly number[];
  children: ReactNode;
}) {
  const [selectedIds, setSelectedIds] = useState<ReadonlySet<number>>(() => new Set());

  const toggle = useCallback((chatId: number, selected: boolean) => {
    setSelectedIds((current) => {
      if (current.has(chatId) === selected) return current;
      const next = new Set(current);
      if (selected) next.add(chatId);
      else next.delete(chatId);
      return next;
    });
  }, []);

  const setAllMatching = useCallback(
    (selected: boolean) => {
      setSelectedIds((current) => {
        const next = new Set(current);
        for (const id of filteredIds) {
          if (selected) next.add(id);
          else next.delete(id);
        }
        return next;
      });
    },
    [filteredIds],
  );

  const clear = useCallback(() => setSelectedIds(new Set()), []);

  const value = useMemo<ChatSelection>(
    () => ({
      profileId,
      selectedIds,
      filteredIds,
      isSelected: (chatId) => selectedIds.has(chatId),
      toggle,
      setAllMatching,
      clear,
    }),
    [profileId, selectedIds, filteredIds, toggle, setAllMatching, clear],
  );
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useChatSelection(): ChatSelection {
  const selection = useContext(SelectionContext);
  if (!selection) throw new Error('useChatSelection() is used outside the chats view.');
  return selection;
}
