import { describe, expect, it } from 'vitest';
import { matchingCoverage, NO_SELECTION, nextSelection } from './selection.ts';

const ids = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);

describe('nextSelection', () => {
  it('toggles one chat on and off', () => {
    const on = nextSelection(NO_SELECTION, { kind: 'toggle', chatId: 7, selected: true });
    expect(ids(on)).toEqual([7]);
    expect(ids(nextSelection(on, { kind: 'toggle', chatId: 7, selected: false }))).toEqual([]);
  });

  it('keeps the same selection when a toggle changes nothing', () => {
    const on = nextSelection(NO_SELECTION, { kind: 'toggle', chatId: 7, selected: true });
    expect(nextSelection(on, { kind: 'toggle', chatId: 7, selected: true })).toBe(on);
    expect(nextSelection(on, { kind: 'toggle', chatId: 8, selected: false })).toBe(on);
  });

  it('"select all" under a filter adds only the chats it matches and keeps chats picked before', () => {
    // Chat 1 was picked under another filter; the current filter shows 2, 3 and 4.
    const picked = nextSelection(NO_SELECTION, { kind: 'toggle', chatId: 1, selected: true });
    const all = nextSelection(picked, { kind: 'all-matching', filteredIds: [2, 3, 4], selected: true });
    expect(ids(all)).toEqual([1, 2, 3, 4]);
  });

  it('unselecting all matching leaves the chats the filter hides selected', () => {
    const selected = new Set([1, 2, 3, 9]);
    expect(ids(nextSelection(selected, { kind: 'all-matching', filteredIds: [2, 3], selected: false }))).toEqual([
      1, 9,
    ]);
  });

  it('"select all" when the filter matches nothing selects nothing new', () => {
    const selected = new Set([5]);
    expect(ids(nextSelection(selected, { kind: 'all-matching', filteredIds: [], selected: true }))).toEqual([5]);
  });

  it('clears every selected chat, hidden ones included', () => {
    expect(nextSelection(new Set([1, 2, 3]), { kind: 'clear' }).size).toBe(0);
    expect(nextSelection(NO_SELECTION, { kind: 'clear' })).toBe(NO_SELECTION);
  });

  it('leaves the selection it was given untouched', () => {
    const selected = new Set([1]);
    nextSelection(selected, { kind: 'all-matching', filteredIds: [2, 3], selected: true });
    nextSelection(selected, { kind: 'toggle', chatId: 1, selected: false });
    expect(ids(selected)).toEqual([1]);
  });
});

describe('matchingCoverage (the "select all matching" checkbox)', () => {
  it('is checked when every matching chat is selected, even with hidden chats selected too', () => {
    expect(matchingCoverage([2, 3], new Set([1, 2, 3]))).toBe('all');
  });

  it('is half-checked when only some matching chats are selected', () => {
    expect(matchingCoverage([2, 3, 4], new Set([3]))).toBe('some');
  });

  it('is empty when no matching chat is selected, whatever the filter hides', () => {
    expect(matchingCoverage([2, 3], new Set([1, 9]))).toBe('none');
    expect(matchingCoverage([], new Set([1]))).toBe('none');
  });
});
