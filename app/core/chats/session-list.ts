// `imopenlines.v2.Session.list` (fact sheet §7.4, statistics/imopenlines-v2-session-list.md): 200 sessions a page,
// offsets up to 10,000, newest first. Several filtered queries are paged side by side, their pages packed into
// `batch` requests (up to 50 pages each), so the chat list's open sessions and recent closures take a request or
// two however long the portal's history is. Past offset 10,000 a query's next date window starts at the oldest
// session it has seen.
import type { BatchCommand, Bitrix24Client } from '../bitrix24/types.ts';
import { asInt, asIsoDate, asList, asRecord, asText, type Json } from './lenient.ts';
import { fetchPageResults, type PageAnswer, type PageFetchOptions, resultOf } from './pager.ts';

export const SESSION_LIST_METHOD = 'imopenlines.v2.Session.list';
const PAGE = 200;
const MAX_OFFSET = 10_000;
const MAX_BATCH = 50;
/** 100 windows of 10,200 sessions is a million; past that a query is cut rather than paged forever. */
const MAX_WINDOWS = 100;

export interface SessionItem {
  id: number;
  chatId: number;
  configId: number;
  operatorId: number;
  userId: number;
  userCode: string;
  status: unknown;
  dateCreate: string | null;
  dateClose: string | null;
  dateFirstAnswer: string | null;
  dateOperatorAnswer: string | null;
}

function readSession(raw: unknown): SessionItem {
  const s: Json = asRecord(raw);
  return {
    id: asInt(s.id),
    chatId: asInt(s.chatId),
    configId: asInt(s.configId),
    operatorId: asInt(s.operatorId),
    userId: asInt(s.userId),
    userCode: asText(s.userCode),
    status: s.status,
    dateCreate: asIsoDate(s.dateCreate),
    dateClose: asIsoDate(s.dateClose),
    dateFirstAnswer: asIsoDate(s.dateFirstAnswer),
    dateOperatorAnswer: asIsoDate(s.dateOperatorAnswer),
  };
}

export interface SessionQuery {
  /** Names the query's pages in the batch (letters and digits). */
  key: string;
  /** Documented filters (`status`, `dateCloseFrom`, `dateCreateFrom`/`To`, …); order and paging are added here. */
  filter: Record<string, unknown>;
  /** Pages to ask for at once in the first round: what the query needed last time (default 1). */
  pages?: number;
}

export interface SessionQueryResult {
  sessions: SessionItem[];
  /** Pages that held sessions or ended the query: the hint for the next read of the same query. */
  pages: number;
  /** False when the query was cut after MAX_WINDOWS windows (or a window could not move back in time). */
  complete: boolean;
}

export interface SessionQueriesResult {
  results: Map<string, SessionQueryResult>;
  requests: number;
}

interface QueryState {
  query: SessionQuery;
  sessions: SessionItem[];
  pages: number;
  offset: number;
  span: number;
  windowTo: string | null;
  windows: number;
  oldestInWindow: string | null;
  done: boolean;
  complete: boolean;
}

/**
 * Pages every query to its end. Each round asks each unfinished query for its next pages (the hint first, then
 * twice as many as the round before) in one batch; a page answering `hasNextPage: false` ends its query. Throws the
 * portal's error (ERROR_METHOD_NOT_FOUND, TARIFF_RESTRICTION, INVALID_FILTER, …) as is.
 */
export async function readSessionQueries(
  client: Bitrix24Client,
  queries: readonly SessionQuery[],
  options: PageFetchOptions = {},
): Promise<SessionQueriesResult> {
  const states: QueryState[] = queries.map((query) => ({
    query,
    sessions: [],
    pages: 0,
    offset: 0,
    span: Math.min(MAX_BATCH, Math.max(1, query.pages ?? 1)),
    windowTo: null,
    windows: 0,
    oldestInWindow: null,
    done: false,
    complete: true,
  }));
  let requests = 0;
  for (;;) {
    /** How many pages of the round are each query's, in command order. */
    const asked = new Map<QueryState, number>();
    const commands: BatchCommand[] = [];
    for (const state of states) {
      if (state.done) continue;
      let count = 0;
      for (; count < state.span && state.offset <= MAX_OFFSET; count++, state.offset += PAGE) {
        const key = `${state.query.key}w${state.windows}o${state.offset}`;
        commands.push({ key, method: SESSION_LIST_METHOD, params: pageParams(state) });
      }
      asked.set(state, count);
    }
    if (commands.length === 0) break;
    const fetched = await fetchPageResults(client, commands, options);
    requests += fetched.requests;
    let next = 0;
    for (const [state, count] of asked) {
      readPages(state, fetched.pages.slice(next, next + count));
      next += count;
    }
  }
  return {
    results: new Map(
      states.map((state) => [
        state.query.key,
        { sessions: state.sessions, pages: Math.max(1, state.pages), complete: state.complete },
      ]),
    ),
    requests,
  };
}

function pageParams(state: QueryState): Record<string, unknown> {
  return {
    ...state.query.filter,
    ...(state.windowTo === null ? {} : { dateCreateTo: state.windowTo }),
    order: 'dateCreate',
    orderDirection: 'desc',
    limit: PAGE,
    offset: state.offset,
  };
}

/** Reads a query's pages of a round in order, up to the one that ends it (a page past the end is not looked at). */
function readPages(state: QueryState, pages: readonly PageAnswer[]): void {
  for (const page of pages) {
    const record = asRecord(resultOf(page));
    const sessions = asList(record.sessions).map(readSession);
    state.pages++;
    for (const session of sessions) {
      state.sessions.push(session);
      const created = session.dateCreate;
      if (created !== null && (state.oldestInWindow === null || Date.parse(created) < Date.parse(state.oldestInWindow)))
        state.oldestInWindow = created;
    }
    if (record.hasNextPage !== true) {
      state.done = true;
      return;
    }
  }
  if (state.offset <= MAX_OFFSET) {
    state.span = Math.min(state.span * 2, MAX_BATCH);
    return;
  }
  // Sessions created in the same second as the window's edge are read again (callers de-duplicate by id); a
  // window that cannot move back in time (over 10,200 sessions in one second) cannot be paged further.
  const next = state.oldestInWindow;
  if (next === null || next === state.windowTo || state.windows + 1 >= MAX_WINDOWS) {
    state.done = true;
    state.complete = false;
    return;
  }
  state.windowTo = next;
  state.windows++;
  state.offset = 0;
  state.oldestInWindow = null;
  state.span = MAX_BATCH;
}

/** Keeps each chat's session with the larger id (sessions read twice at a window's edge come back once). */
export function keepLatest(byChat: Map<number, SessionItem>, session: SessionItem): void {
  if (session.chatId <= 0 || session.id <= 0) return;
  const known = byChat.get(session.chatId);
  if (!known || known.id < session.id) byChat.set(session.chatId, session);
}
