// The supervisor's list through `imopenlines.v2.Session.list` (fact sheet §7.4): 200 sessions a page, offsets up to
// 10,000; past that, the next date window starts at the oldest session seen (the list is newest first).
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { asInt, asIsoDate, asList, asRecord, asText, type Json } from './lenient.ts';
import { pageThrough } from './pager.ts';

export const SESSION_LIST_METHOD = 'imopenlines.v2.Session.list';
const PAGE = 200;
const MAX_OFFSET = 10_000;
/** 100 windows of 10,200 sessions is a million; past that the list is cut rather than paged forever. */
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

export interface SessionListResult {
  /** The latest session of each chat. */
  sessions: SessionItem[];
  requests: number;
}

/** Every chat's latest session. Throws the portal's error (ERROR_METHOD_NOT_FOUND, TARIFF_RESTRICTION, …) as is. */
export async function listLatestSessions(client: Bitrix24Client, signal?: AbortSignal): Promise<SessionListResult> {
  const byChat = new Map<number, SessionItem>();
  let requests = 0;
  let windowTo: string | null = null;
  for (let window = 0; window < MAX_WINDOWS; window++) {
    const to: string | null = windowTo;
    const page = await pageThrough<SessionItem>(client, {
      method: SESSION_LIST_METHOD,
      pageSize: PAGE,
      maxOffset: MAX_OFFSET,
      signal,
      params: (offset): Record<string, unknown> => ({
        order: 'dateCreate',
        orderDirection: 'desc',
        limit: PAGE,
        offset,
        ...(to === null ? {} : { dateCreateTo: to }),
      }),
      read: (result) => {
        const record = asRecord(result);
        return { items: asList(record.sessions).map(readSession), more: record.hasNextPage === true };
      },
    });
    requests += page.requests;
    let oldest: string | null = null;
    for (const session of page.items) {
      if (session.chatId <= 0 || session.id <= 0) continue;
      const known = byChat.get(session.chatId);
      if (!known || known.id < session.id) byChat.set(session.chatId, session);
      if (session.dateCreate !== null && (oldest === null || session.dateCreate < oldest)) oldest = session.dateCreate;
    }
    if (page.exhausted) break;
    // Sessions created in the same second as the window's edge are read again and de-duplicated; a window that
    // does not move back in time (over 10,200 sessions in one second) cannot be paged further.
    if (oldest === null || oldest === windowTo) break;
    windowTo = oldest;
  }
  return { sessions: [...byChat.values()], requests };
}
