import { describe, expect, it } from 'vitest';
import { chatIdsFromList, MAX_RUN_CHATS, parseChatIds, REASONS, runSizeProblem } from './chat-ids.ts';

describe('parseChatIds', () => {
  it('reads one id a line, drops and counts duplicates, and keeps first-seen order', () => {
    const parsed = parseChatIds('12\r\n7\n12\n 0042 \n7\n12\n');
    expect(parsed).toMatchObject({ chatIds: [12, 7, 42], duplicates: 3, invalid: [], format: 'lines' });
  });

  it('lists every bad line with its number, input and reason', () => {
    const text = [
      '5',
      'abc',
      '-3',
      '0',
      '1.5',
      '99999999999999999999',
      '',
      '2147483648',
      '2147483647',
      '12a',
      '-0',
    ].join('\n');
    const parsed = parseChatIds(`${text}\n`);
    expect(parsed.chatIds).toEqual([5, 2147483647]);
    expect(parsed.invalid).toEqual([
      { line: 2, input: 'abc', reason: REASONS.notNumber },
      { line: 3, input: '-3', reason: REASONS.negative },
      { line: 4, input: '0', reason: REASONS.zero },
      { line: 5, input: '1.5', reason: REASONS.decimal },
      { line: 6, input: '99999999999999999999', reason: REASONS.tooLarge },
      { line: 8, input: '2147483648', reason: REASONS.tooLarge },
      { line: 10, input: '12a', reason: REASONS.notNumber },
      { line: 11, input: '-0', reason: REASONS.zero },
    ]);
  });

  it('tells an id with a comma after it (a pasted row) from a decimal number', () => {
    expect(parseChatIds('1001\n1004,\n7.\n2.5\n1005\n').invalid).toEqual([
      { line: 2, input: '1004,', reason: REASONS.trailingSeparator },
      { line: 3, input: '7.', reason: REASONS.trailingSeparator },
      { line: 4, input: '2.5', reason: REASONS.decimal },
    ]);
  });

  it('skips and counts blank lines (the final line break opens none); they are not bad lines', () => {
    expect(parseChatIds('1\n2\n')).toMatchObject({ invalid: [], blank: 0 });
    expect(parseChatIds('1\n\n  \n2\n\n')).toMatchObject({ chatIds: [1, 2], invalid: [], blank: 3 });
    expect(parseChatIds('').chatIds).toEqual([]);
  });

  it('reads the CHAT_ID column of a CSV wherever it is, with quoted fields and a BOM', () => {
    const csv = '\uFEFFNAME,"chat_id",LINE\n"Smith, Ann",101,2\n"He said ""hi""",102,2\n"multi\nline name",103,1\n';
    const parsed = parseChatIds(csv, 'export.csv');
    expect(parsed).toMatchObject({ chatIds: [101, 102, 103], invalid: [], format: 'csv' });
  });

  it('reports bad CHAT_ID cells of a CSV at the line their record starts on', () => {
    const csv = 'CHAT_ID;NAME\n10;a\nten;b\n;c\n\n11;"two\nlines"\n-4;d\n';
    const parsed = parseChatIds(csv);
    expect(parsed.chatIds).toEqual([10, 11]);
    expect(parsed.invalid).toEqual([
      { line: 3, input: 'ten', reason: REASONS.notNumber },
      { line: 4, input: '', reason: REASONS.emptyCell },
      { line: 8, input: '-4', reason: REASONS.negative },
    ]);
    expect(parsed.blank).toBe(1);
  });

  it('lists every line of a CSV that has no CHAT_ID column', () => {
    const parsed = parseChatIds('ID,NAME\n1,a\n2,b\n', 'chats.csv');
    expect(parsed.chatIds).toEqual([]);
    expect(parsed.invalid.map((line) => [line.line, line.reason])).toEqual([
      [1, REASONS.noColumn],
      [2, REASONS.noColumn],
      [3, REASONS.noColumn],
    ]);
    // A one-column .csv whose header is not CHAT_ID is a CSV without the column too.
    expect(parseChatIds('id\n1\n', 'chats.csv').invalid).toHaveLength(2);
  });

  it('reads a headerless one-column .csv as a plain list', () => {
    expect(parseChatIds('1\n2\n', 'chats.csv')).toMatchObject({ chatIds: [1, 2], format: 'lines' });
  });
});

describe('chat ids given as a list (the selection in the console)', () => {
  it('judges each item as a line of a file would be: item n is line n, duplicates counted once', () => {
    const parsed = chatIdsFromList([7, '8', 7, 0, 'x', 2_147_483_648, 8]);
    expect(parsed.chatIds).toEqual([7, 8]);
    expect(parsed.duplicates).toBe(2);
    expect(parsed.invalid).toEqual([
      { line: 4, input: '0', reason: REASONS.zero },
      { line: 5, input: 'x', reason: REASONS.notNumber },
      { line: 6, input: '2147483648', reason: REASONS.tooLarge },
    ]);
  });

  it('says why a list is too long for one run, and accepts the longest one', () => {
    expect(runSizeProblem(MAX_RUN_CHATS)).toBeNull();
    expect(runSizeProblem(MAX_RUN_CHATS + 1)).toBe(
      `${MAX_RUN_CHATS + 1} chats is more than one run takes (${MAX_RUN_CHATS}); split the list.`,
    );
  });
});
