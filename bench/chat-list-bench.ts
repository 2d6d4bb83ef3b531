// The chat list on a portal with years of history (issue #10): what the first load and an idle refresh cost in
// requests and portal calls (each call is billed the same portal seconds here, so calls stand for operating seconds),
// beside the fewest the documented methods allow, and beside paging every session as the console used to.
import { createBitrix24Client } from '../app/core/bitrix24/client.ts';
import { ChatLister } from '../app/core/chats/index.ts';
import { readSessionQueries } from '../app/core/chats/session-list.ts';
import { createDemoPortal } from '../app/demo-portal/demo-portal.ts';
import type { DemoPortal } from '../app/demo-portal/types.ts';

export interface ChatListCost {
  label: string;
  requests: number;
  calls: number;
  /** `imopenlines.v2.Session.list` pages among the calls. */
  pages: number;
  /** Rows the list showed (0 for the minimum). */
  rows: number;
}

export interface ChatListSection {
  historicSessions: number;
  openChats: number;
  closedDays: number;
  costSecondsPerCall: number;
  minimum: ChatListCost;
  firstLoad: ChatListCost & { listCalls: number };
  idleRefresh: ChatListCost;
  wholeHistory: ChatListCost;
  large: { openChats: number; shown: number; requests: number };
  targets: { firstLoadRatio: number; idleRefreshRequests: number };
}

const SESSION_LIST = 'imopenlines.v2.Session.list';
const PAGE = 200;
const MAX_BATCH = 50;
const COST_SECONDS = 0.002;
const CLOSED_DAYS = 2;
/** About half the seeded chats are open on lines the webhook user sees: 6,000 chats seed about 3,000 of them. */
const CHATS_FOR_3000_OPEN = 6_000;
const HISTORIC = 300_000;

function costOf(portal: DemoPortal, label: string, rows: number): ChatListCost {
  const calls = Object.values(portal.counters.calls).reduce((sum, count) => sum + count, 0);
  return { label, requests: portal.counters.requests, calls, pages: portal.counters.calls[SESSION_LIST] ?? 0, rows };
}

/**
 * The fewest a client can do for the same view, counted from the portal's own answers: every query's pages
 * (⌈sessions / 200⌉, at least one), the lines and roster pages packed beside them, one dialog.get a row for the
 * visitor's name (50 a request), and the user.get calls for operators the queues do not name (as many as ours).
 */
async function minimumFor(portal: DemoPortal, rows: number, userGetCalls: number): Promise<ChatListCost> {
  const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
  const horizon = new Date(Date.now() - CLOSED_DAYS * 86_400_000).toISOString();
  const { results } = await readSessionQueries(client, [
    { key: 'new', filter: { status: 'new' } },
    { key: 'answered', filter: { status: 'answered' } },
    { key: 'paused', filter: { status: 'paused' } },
    { key: 'closed', filter: { dateCloseFrom: horizon } },
  ]);
  let pages = 0;
  for (const result of results.values()) pages += Math.max(1, Math.ceil(result.sessions.length / PAGE));
  const directoryCalls = 2; // imopenlines.config.list.get and one Operator.list page
  return {
    label: 'fewest the documented methods allow',
    requests: Math.ceil((pages + directoryCalls) / MAX_BATCH) + Math.ceil(rows / MAX_BATCH) + userGetCalls,
    calls: pages + directoryCalls + rows + userGetCalls,
    pages,
    rows: 0,
  };
}

export async function runChatListBench(): Promise<ChatListSection> {
  const portal = await createDemoPortal({
    chats: CHATS_FOR_3000_OPEN,
    history: { sessions: HISTORIC },
    costSeconds: COST_SECONDS,
  });
  try {
    const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    // The clock the lister reads: moved past the lines' and the roster's refresh for the idle refresh's worst case.
    let clockOffset = 0;
    const lister = new ChatLister(client, { now: () => Date.now() + clockOffset });
    const scope = { kind: 'current', closedDays: CLOSED_DAYS } as const;
    // The first load ends when every row has its visitor's name: dialog.get is spread over list calls.
    portal.resetCounters();
    let list = await lister.list(undefined, scope);
    let listCalls = 1;
    let lookups = portal.counters.calls['imopenlines.dialog.get'] ?? 0;
    while (lookups < list.chats.length && listCalls < 10) {
      list = await lister.list(undefined, scope);
      listCalls++;
      const now = portal.counters.calls['imopenlines.dialog.get'] ?? 0;
      if (now === lookups) break;
      lookups = now;
    }
    const firstLoad = { ...costOf(portal, 'first load (this console)', list.chats.length), listCalls };
    const openChats = list.chats.filter((row) => row.active).length;
    const userGetCalls = portal.counters.calls['user.get'] ?? 0;

    portal.resetCounters();
    clockOffset = 61_000;
    const refreshed = await lister.list(undefined, scope);
    const idleRefresh = costOf(portal, 'idle refresh (lines, roster due)', refreshed.chats.length);

    const minimum = await minimumFor(portal, list.chats.length, userGetCalls);

    // What the console did before: every session of the portal, newest first, through the same pager.
    portal.resetCounters();
    const all = await readSessionQueries(client, [{ key: 'all', filter: {} }]);
    const wholeHistory = costOf(
      portal,
      'every session paged (before)',
      new Set(all.results.get('all')?.sessions.map((s) => s.chatId)).size,
    );

    return {
      historicSessions: HISTORIC,
      openChats,
      closedDays: CLOSED_DAYS,
      costSecondsPerCall: COST_SECONDS,
      minimum,
      firstLoad,
      idleRefresh,
      wholeHistory,
      large: await largePortal(),
      targets: { firstLoadRatio: 1.2, idleRefreshRequests: 3 },
    };
  } finally {
    await portal.close();
  }
}

/** 20,000 open chats must still be shown: the first list call of a portal that size. */
async function largePortal(): Promise<ChatListSection['large']> {
  const portal = await createDemoPortal({ chats: 45_000, costSeconds: COST_SECONDS });
  try {
    const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    const list = await new ChatLister(client).list();
    const open = portal.chatIds().filter((id) => {
      const chat = portal.chat(id);
      return chat?.accessible === true && chat.status < 60;
    }).length;
    return {
      openChats: open,
      shown: list.chats.filter((row) => row.active).length,
      requests: portal.counters.requests,
    };
  } finally {
    await portal.close();
  }
}

const ratio = (value: number, minimum: number): string => `${(value / Math.max(1, minimum)).toFixed(2)}×`;

export function chatListLines(section: ChatListSection): string[] {
  const { minimum, firstLoad, idleRefresh, wholeHistory, targets } = section;
  const rows = [minimum, firstLoad, idleRefresh, wholeHistory];
  const width = Math.max(...rows.map((row) => row.label.length));
  const cells = (row: ChatListCost, extra: string): string =>
    `  ${row.label.padEnd(width)}  ${String(row.requests).padStart(8)}  ${String(row.calls).padStart(7)}  ${String(row.pages).padStart(7)}  ${String(row.rows || '').padStart(6)}  ${extra}`;
  const loadRatio = Math.max(firstLoad.requests / minimum.requests, firstLoad.calls / minimum.calls);
  const loadMet = loadRatio <= targets.firstLoadRatio;
  const idleMet = idleRefresh.requests <= targets.idleRefreshRequests;
  const largeMet = section.large.shown === section.large.openChats && section.large.shown >= 20_000;
  return [
    `  ${section.historicSessions.toLocaleString('en-US')} historic sessions, ${section.openChats.toLocaleString('en-US')} open chats, closed in the last ${section.closedDays} days shown; every call costs ${section.costSecondsPerCall} portal s, so calls stand for operating seconds`,
    `  ${'cost'.padEnd(width)}  requests    calls    pages    rows  ratio / target`,
    cells(minimum, ''),
    cells(
      firstLoad,
      `requests ${ratio(firstLoad.requests, minimum.requests)}, calls ${ratio(firstLoad.calls, minimum.calls)} (≤ ${targets.firstLoadRatio}×: ${loadMet ? 'met' : 'MISSED'}; ${firstLoad.listCalls} list calls until every name was read)`,
    ),
    cells(idleRefresh, `≤ ${targets.idleRefreshRequests} requests: ${idleMet ? 'met' : 'MISSED'}`),
    cells(
      wholeHistory,
      `${ratio(wholeHistory.pages, firstLoad.pages)} the pages of the first load, for the sessions alone`,
    ),
    `  20,000 open chats: ${section.large.shown.toLocaleString('en-US')} of ${section.large.openChats.toLocaleString('en-US')} open chats shown by the first list call (${section.large.requests} requests): ${largeMet ? 'met' : 'MISSED'}`,
  ];
}
