// What a change does to the set of selected chats, and how much of the filtered list it covers: pure, so the
// rules a supervisor relies on (a selection survives a filter change; "select all" means "all that match") are
// tested without React.

export type SelectionChange =
  | { kind: 'toggle'; chatId: number; selected: boolean }
  /** Selects (or unselects) exactly the chats the current filters match; chats they hide keep their state. */
  | { kind: 'all-matching'; filteredIds: readonly number[]; selected: boolean }
  /** Keeps only the selected chats the current filters show. */
  | { kind: 'narrow'; filteredIds: readonly number[] }
  | { kind: 'clear' };

export const NO_SELECTION: ReadonlySet<number> = new Set();

/** The selection after a change; the same set when nothing changed, so nothing re-renders for it. */
export function nextSelection(current: ReadonlySet<number>, change: SelectionChange): ReadonlySet<number> {
  switch (change.kind) {
    case 'toggle': {
      if (current.has(change.chatId) === change.selected) return current;
      const next = new Set(current);
      if (change.selected) next.add(change.chatId);
      else next.delete(change.chatId);
      return next;
    }
    case 'all-matching': {
      const next = new Set(current);
      for (const id of change.filteredIds) {
        if (change.selected) next.add(id);
        else next.delete(id);
      }
      return next;
    }
    case 'narrow': {
      const next = new Set(change.filteredIds.filter((id) => current.has(id)));
      return next.size === current.size ? current : next;
    }
    case 'clear':
      return current.size === 0 ? current : NO_SELECTION;
  }
}

/** Selected chats the current filters hide: a selection acts on them too, so the view says how many. */
export function hiddenSelected(filteredIds: readonly number[], selectedIds: ReadonlySet<number>): number {
  let shown = 0;
  for (const id of filteredIds) if (selectedIds.has(id)) shown++;
  return selectedIds.size - shown;
}

/** How the "select all matching" checkbox shows: checked, half-checked (indeterminate) or empty. */
export function matchingCoverage(
  filteredIds: readonly number[],
  selectedIds: ReadonlySet<number>,
): 'all' | 'some' | 'none' {
  let selected = 0;
  for (const id of filteredIds) if (selectedIds.has(id)) selected++;
  if (selected === 0) return 'none';
  return selected === filteredIds.length ? 'all' : 'some';
}
