// `imopenlines.v2.Session.list` (fact sheet §7.4, statistics/imopenlines-v2-session-list.md): 200 sessions a page,
// offsets up to 10,000, newest first. Several filtered queries are paged side by side, their pages packed into
// `batch` requests (up to 50 pages each), so the chat list's open sessions and recent closures take a request or
// two however long the portal's history is. Past offset 10,000 a query's next date window starts at the oldest
// session it has seen.
import type { BatchCommand, Bitrix24Client, CommandOutcome } from '../bitrix24/types.ts';
import { asInt, asIsoDate, asList, asRecord, asText, type Json } from './lenient.ts';

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
export interface SessionQueriesOptions {
  signal?: AbortSignal;
  /** Called before each request leaves (a run counts its requests and may refuse to send). */
  beforeSend?: () => void;
}

export async function readSessionQueries(
  client: Bitrix24Client,
  queries: readonly SessionQuery[],
  { signal, beforeSend }: SessionQueriesOptions = {},
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
    const asked = new Map<QueryState, string[]>();
    const commands: BatchCommand[] = [];
    for (const state of states) {
      if (state.done) continue;
      const keys: string[] = [];
      for (let i = 0; i < state.span && state.offset <= MAX_OFFSET; i++, state.offset += PAGE) {
        const key = `${state.query.key}w${state.windows}o${state.offset}`;
        keys.push(key);
        commands.push({ key, method: SESSION_LIST_METHOD, params: pageParams(state) });
      }
      asked.set(state, keys);
    }
    if (commands.length === 0) break;
    const report =
      commands.length === 1
        ? await singlePage(client, commands[0]!, signal, beforeSend)
        : await client.batch(commands, { idempotent: true, signal, beforeSend });
    requests += report.requests;
    for (const [state, keys] of asked) readPages(state, keys, report.outcomes, report.stoppedBy);
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

type PageOutcomes = ReadonlyMap<string, CommandOutcome>;

function readPages(state: QueryState, keys: readonly string[], outcomes: PageOutcomes, stoppedBy: unknown): void {
  for (const key of keys) {
    const outcome = outcomes.get(key);
    if (!outcome) throw stoppedBy ?? new Error(`The portal did not answer page ${key} of ${SESSION_LIST_METHOD}.`);
    if (outcome.status === 'failed') throw outcome.error;
    if (outcome.status === 'not-sent') throw outcome.reason;
    const record = asRecord(outcome.result);
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

/** One page needs no batch envelope: a plain call, reported in the batch's shape. */
async function singlePage(
  client: Bitrix24Client,
  command: BatchCommand,
  signal?: AbortSignal,
  beforeSend?: () => void,
): Promise<{ outcomes: PageOutcomes; requests: number; stoppedBy?: unknown }> {
  beforeSend?.();
  const { result } = await client.call(command.method, command.params, { idempotent: true, signal });
  return { outcomes: new Map([[command.key, { key: command.key, status: 'ok', result }]]), requests: 1 };
}
