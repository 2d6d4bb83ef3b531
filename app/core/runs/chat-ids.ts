// Chat ids for a bulk run from pasted text or a text/CSV file: one id a line, or a `CHAT_ID` column of a CSV with a
// header. Every physical line is judged (an empty one too); only the text after the final line break is not a line.

/** Bitrix24 chat ids are MySQL INT columns: 1 … 2^31 − 1. */
export const MAX_CHAT_ID = 2_147_483_647;

/** The most chats one run accepts (the contract's limit for the desktop app, and the demo portal's largest seed). */
export const MAX_RUN_CHATS = 50_000;

export interface InvalidLine {
  /** 1-based physical line number where the line (or the CSV record) starts. */
  line: number;
  /** The line or the CSV cell as written, cut to 200 characters. */
  input: string;
  reason: string;
}

export interface ParsedChatIds {
  /** Valid ids in first-seen order, without duplicates. */
  chatIds: number[];
  invalid: InvalidLine[];
  /** Repeated occurrences dropped (an id present three times counts 2). */
  duplicates: number;
  /** Blank lines, skipped: a pasted list or an exported file often has some, and they are no mistake. */
  blank: number;
  /** How the text was read. */
  format: 'lines' | 'csv';
}

export const REASONS = {
  empty: 'empty line',
  emptyCell: 'empty CHAT_ID cell',
  notNumber: 'not a whole number',
  negative: 'negative number',
  zero: 'zero is not a chat id',
  decimal: 'decimal number',
  trailingSeparator: 'a chat id with a comma or dot after it: write one id a line, or a CSV with a CHAT_ID column',
  tooLarge: `too large (chat ids go up to ${MAX_CHAT_ID})`,
  noColumn: 'the CSV has no CHAT_ID column',
  unclosedQuote: 'a quoted field is not closed',
} as const;

/** Reads a single id, or says in words why the text is not one. */
export function judgeChatId(text: string): { ok: true; id: number } | { ok: false; reason: string } {
  const value = text.trim();
  if (value === '') return { ok: false, reason: REASONS.empty };
  if (/^\d+$/.test(value)) {
    // Compare digit strings, not floats: "99999999999999999999" must not round to a valid id.
    const digits = value.replace(/^0+(?=\d)/, '');
    if (/^0+$/.test(digits)) return { ok: false, reason: REASONS.zero };
    if (digits.length > 10 || (digits.length === 10 && digits > String(MAX_CHAT_ID))) {
      return { ok: false, reason: REASONS.tooLarge };
    }
    return { ok: true, id: Number(digits) };
  }
  if (/^-\s*\d+(?:[.,]\d+)?$/.test(value)) {
    return /^-\s*0+(?:[.,]0+)?$/.test(value)
      ? { ok: false, reason: REASONS.zero }
      : { ok: false, reason: REASONS.negative };
  }
  if (/^\+?\d+[.,]$/.test(value)) return { ok: false, reason: REASONS.trailingSeparator };
  if (/^\+?\d*[.,]\d+$/.test(value) || /^\d+(?:\.\d+)?e[+-]?\d+$/i.test(value)) {
    return { ok: false, reason: REASONS.decimal };
  }
  return { ok: false, reason: REASONS.notNumber };
}

/** `fileName` (when the text came from a file) lets a `.csv`/`.tsv` with a one-column header be read as a CSV. */
export function parseChatIds(text: string, fileName?: string): ParsedChatIds {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const csv = detectCsv(body, fileName);
  return judgeEntries(csv ? csvEntries(body, csv.delimiter) : lineEntries(body), csv !== null);
}

/** Ids given as a list (the renderer's selection), judged as the lines of a file would be: item n is line n. */
export function chatIdsFromList(ids: readonly (number | string)[]): ParsedChatIds {
  return judgeEntries(
    ids.map((id, index) => ({ line: index + 1, input: String(id) })),
    false,
  );
}

/** Why one run cannot take this many chats, or null: the one check of a run's size. */
export function runSizeProblem(count: number): string | null {
  return count > MAX_RUN_CHATS ? `${count} chats is more than one run takes (${MAX_RUN_CHATS}); split the list.` : null;
}

function judgeEntries(entries: Entry[], csv: boolean): ParsedChatIds {
  const chatIds: number[] = [];
  const invalid: InvalidLine[] = [];
  const seen = new Set<number>();
  let duplicates = 0;
  let blank = 0;
  for (const entry of entries) {
    if ('reason' in entry) {
      invalid.push({ line: entry.line, input: clip(entry.input), reason: entry.reason });
      continue;
    }
    const verdict = judgeChatId(entry.input);
    if (!verdict.ok && verdict.reason === REASONS.empty && (!csv || entry.blank)) {
      blank++;
      continue;
    }
    if (!verdict.ok) {
      // What is left empty here is a CSV cell on a line that holds other cells.
      const reason = verdict.reason === REASONS.empty ? REASONS.emptyCell : verdict.reason;
      invalid.push({ line: entry.line, input: clip(entry.input), reason });
      continue;
    }
    if (seen.has(verdict.id)) duplicates++;
    else {
      seen.add(verdict.id);
      chatIds.push(verdict.id);
    }
  }
  return { chatIds, invalid, duplicates, blank, format: csv ? 'csv' : 'lines' };
}

type Entry = { line: number; input: string; blank?: boolean } | { line: number; input: string; reason: string };

function clip(input: string): string {
  return input.length > 200 ? `${input.slice(0, 199)}…` : input;
}

/** Splits into physical lines; a final line break ends the last line rather than opening an empty one. */
function physicalLines(body: string): string[] {
  if (body === '') return [];
  const lines = body.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lineEntries(body: string): Entry[] {
  return physicalLines(body).map((input, index) => ({ line: index + 1, input }));
}

const DELIMITERS = [',', ';', '\t'] as const;

/** A CSV when the first non-empty line names a CHAT_ID column or holds a delimiter; a one-column list otherwise. */
function detectCsv(body: string, fileName: string | undefined): { delimiter: string } | null {
  const first = physicalLines(body).find((line) => line.trim() !== '');
  if (first === undefined) return null;
  const counts = DELIMITERS.map((delimiter) => ({ delimiter, count: countOutsideQuotes(first, delimiter) }));
  const best = counts.reduce((a, b) => (b.count > a.count ? b : a));
  if (best.count > 0) return { delimiter: best.delimiter };
  if (isChatIdHeader(first.trim().replace(/^"(.*)"$/, '$1'))) return { delimiter: ',' };
  // In a file named .csv a first line that is not an id is a header (of one column); a headerless one-column
  // .csv is still a plain list of ids.
  if (fileName && /\.(csv|tsv)$/i.test(fileName) && !judgeChatId(first).ok) {
    return { delimiter: /\.tsv$/i.test(fileName) ? '\t' : ',' };
  }
  return null;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let inQuotes = false;
  let count = 0;
  for (const char of line) {
    if (char === '"') inQuotes = !inQuotes;
    else if (char === delimiter && !inQuotes) count++;
  }
  return count;
}

function isChatIdHeader(cell: string): boolean {
  return cell.trim().toUpperCase() === 'CHAT_ID';
}

interface CsvRecord {
  line: number;
  raw: string;
  cells: string[];
  unclosed: boolean;
}

/** RFC 4180 records: quoted cells may hold delimiters, doubled quotes and line breaks. */
function csvRecords(body: string, delimiter: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let index = 0;
  while (index < body.length) {
    const startLine = line;
    const start = index;
    const cells: string[] = [];
    let cell = '';
    let inQuotes = false;
    let ended = false;
    while (index < body.length) {
      const char = body[index] as string;
      if (inQuotes) {
        if (char === '"') {
          if (body[index + 1] === '"') {
            cell += '"';
            index += 2;
            continue;
          }
          inQuotes = false;
          index++;
          continue;
        }
        if (char === '\n' || (char === '\r' && body[index + 1] !== '\n')) line++;
        cell += char;
        index++;
        continue;
      }
      // A quote opens a quoted cell only at the cell's start (spaces before it are dropped).
      if (char === '"' && cell.trim() === '') {
        inQuotes = true;
        cell = '';
        index++;
        continue;
      }
      if (char === delimiter) {
        cells.push(cell);
        cell = '';
        index++;
        continue;
      }
      if (char === '\r' || char === '\n') {
        index += char === '\r' && body[index + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
        break;
      }
      cell += char;
      index++;
    }
    cells.push(cell);
    const raw = body.slice(start, index).replace(/\r?\n$|\r$/, '');
    records.push({ line: startLine, raw, cells, unclosed: inQuotes });
    if (!ended && index >= body.length) break;
  }
  return records;
}

function csvEntries(body: string, delimiter: string): Entry[] {
  const records = csvRecords(body, delimiter);
  const headerIndex = records.findIndex((record) => record.raw.trim() !== '');
  const entries: Entry[] = [];
  // Blank lines before the header are judged like any other line.
  for (const record of records.slice(0, Math.max(headerIndex, 0))) {
    entries.push({ line: record.line, input: '', blank: true });
  }
  const header = records[headerIndex];
  if (!header) return entries;
  const column = header.cells.findIndex(isChatIdHeader);
  if (column < 0) {
    for (const record of records.slice(headerIndex)) {
      entries.push({ line: record.line, input: record.raw, reason: REASONS.noColumn });
    }
    return entries;
  }
  for (const record of records.slice(headerIndex + 1)) {
    if (record.unclosed) entries.push({ line: record.line, input: record.raw, reason: REASONS.unclosedQuote });
    else if (record.raw.trim() === '') entries.push({ line: record.line, input: '', blank: true });
    else entries.push({ line: record.line, input: (record.cells[column] ?? '').trim() });
  }
  return entries;
}
