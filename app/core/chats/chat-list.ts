// The open-line chat list: `imopenlines.v2.Session.list` first; where the portal lacks it (ERROR_METHOD_NOT_FOUND)
// or the plan forbids it (TARIFF_RESTRICTION), the caller's `im.recent.list` completed by `imopenlines.dialog.get`.
// The working view is what a supervisor acts on — open sessions and those closed in the last N days — kept between
// refreshes so that a refresh reads what changed, never the portal's years of history; older chats are read on
// demand for a range of days.
import {
  type ChatList,
  type ChatRow,
  type ChatScope,
  DEFAULT_CHAT_SCOPE,
  type SessionStatus,
} from '../../contract/index.ts';
import { codeIs } from '../bitrix24/errors.ts';
import type { BatchCommand, Bitrix24Client } from '../bitrix24/types.ts';
import { type DialogInfo, parseDialog } from './dialog.ts';
import { type Directory, lineLabel, operatorLabel, readLines, readOperatorRoster } from './directory.ts';
import { latestIso } from './lenient.ts';
import { listRecentOpenLineChats, type RecentChat } from './recent-list.ts';
import { keepLatest, readSessionQueries, type SessionItem, type SessionQuery } from './session-list.ts';
import { isActiveStatus, isWaitingStatus, sessionStatusOf } from './session-status.ts';

export interface ChatListOptions {
  now?: () => number;
  /**
   * Chats whose visitor name or session data is read with `imopenlines.dialog.get` per list call (50 per batch
   * request). Names are remembered, so a large portal fills in over a few refreshes instead of stalling the first.
   */
  dialogLookupsPerList?: number;
}

const OPERATOR_LIST_INTERVAL_MS = 30_000; // the docs ask for at most one Operator.list call every 30 s
/** Lines and their queues change rarely; a refresh within this reuses them. */
const LINES_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** Session.list status filters that make up the open sessions: every status but closed and spam. */
const OPEN_STATUS_FILTERS = ['new', 'answered', 'paused'] as const;
/** The portal refuses a creation period over 366 days. */
const HISTORY_WINDOW_DAYS = 366;

/** The working view kept between refreshes, so a refresh reads what changed and not the portal's history. */
interface WorkingView {
  closedDays: number;
  /** Each chat's latest session in the view. */
  byChat: Map<number, SessionItem>;
  /** Pages each open-status query needed last time, asked for at once on the next refresh. */
  openPages: Map<string, number>;
  /** The latest close time seen: the next refresh asks only for sessions closed since. */
  closedSince: string | null;
}

/** Reads the chat list of one portal; keeps what does not change between refreshes (visitor names, the route). */
export class ChatLister {
  private readonly now: () => number;
  private readonly lookupBudget: number;
  private readonly dialogs = new Map<number, DialogInfo>();
  private route: 'session-list' | 'recent' = 'session-list';
  private roster: { at: number; operators: Array<{ id: number; name: string }> } | null = null;
  private lines: { at: number; directory: Directory } | null = null;
  private view: WorkingView | null = null;

  constructor(
    private readonly client: Bitrix24Client,
    options: ChatListOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.lookupBudget = options.dialogLookupsPerList ?? 2_000;
  }

  async list(signal?: AbortSignal, scope: ChatScope = DEFAULT_CHAT_SCOPE): Promise<ChatList> {
    const directory = await this.directory(signal);
    let rows: ChatRow[] | null = null;
    if (this.route === 'session-list') {
      try {
        rows = await this.fromSessionList(directory, scope, signal);
      } catch (error) {
        if (!codeIs(error, 'ERROR_METHOD_NOT_FOUND') && !codeIs(error, 'TARIFF_RESTRICTION')) throw error;
        this.route = 'recent';
      }
    }
    rows ??= await this.fromRecent(directory, signal);
    return {
      chats: rows,
      lines: sortedEntries(directory.lines),
      operators: sortedEntries(directory.operators),
      source: this.route,
      scope: this.route === 'recent' ? DEFAULT_CHAT_SCOPE : scope,
      fetchedAt: this.now(),
    };
  }

  /** Forgets what is known about a chat (after a session start), so the next list reads it again. */
  forget(chatId: number): void {
    this.dialogs.delete(chatId);
  }

  /** Lines (re-read after a minute) and operators named by the queues or the roster; a fresh copy per list. */
  private async directory(signal?: AbortSignal): Promise<Directory> {
    const now = this.now();
    if (!this.lines || now - this.lines.at >= LINES_INTERVAL_MS) {
      this.lines = { at: now, directory: await readLines(this.client, signal) };
    }
    const directory: Directory = {
      lines: new Map(this.lines.directory.lines),
      operators: new Map(this.lines.directory.operators),
    };
    for (const { id, name } of await this.operatorRoster(directory.operators, signal)) {
      const known = directory.operators.get(id);
      if (known === undefined || (name && known === operatorLabel(id)))
        directory.operators.set(id, name || operatorLabel(id));
    }
    return directory;
  }

  private async operatorRoster(
    known: ReadonlyMap<number, string>,
    signal?: AbortSignal,
  ): Promise<Array<{ id: number; name: string }>> {
    const now = this.now();
    if (!this.roster || now - this.roster.at >= OPERATOR_LIST_INTERVAL_MS) {
      // Names user.get gave last time are known too: only operators new to the roster are looked up.
      const named = new Map(known);
      for (const { id, name } of this.roster?.operators ?? []) if (name && !named.has(id)) named.set(id, name);
      this.roster = { at: now, operators: await readOperatorRoster(this.client, named, signal) };
    }
    return this.roster.operators;
  }

  private async fromSessionList(directory: Directory, scope: ChatScope, signal?: AbortSignal): Promise<ChatRow[]> {
    const sessions =
      scope.kind === 'current'
        ? await this.readWorkingView(scope.closedDays, signal)
        : await this.readHistory(scope, signal);
    const now = this.now();
    const statuses = sessions.map((session) => sessionStatusOf(session.status) ?? 'new');
    // Session.list carries no visitor name: the chat title comes from dialog.get, open sessions first.
    const order = sessions
      .map((session, index) => ({ session, active: isActiveStatus(statuses[index]!) }))
      .filter(({ session }) => !this.dialogs.has(session.chatId))
      .sort((a, b) => Number(b.active) - Number(a.active) || compareDesc(a.session.dateCreate, b.session.dateCreate))
      .map(({ session }) => session.chatId);
    await this.readDialogs(order, signal);
    return sessions.map((session, index) => this.sessionRow(session, statuses[index]!, directory, now));
  }

  /**
   * Open sessions (each open status paged, as many pages at once as it needed last time) and those closed since
   * the last read — the first read since the N days — in as few batch requests as the pages allow. A chat whose
   * open session no longer shows and did not close (its line left the caller's reports) leaves the view.
   */
  private async readWorkingView(closedDays: number, signal?: AbortSignal): Promise<SessionItem[]> {
    const previous = this.view?.closedDays === closedDays ? this.view : null;
    const horizon = this.now() - closedDays * DAY_MS;
    const closedFrom =
      previous?.closedSince != null && Date.parse(previous.closedSince) > horizon
        ? previous.closedSince
        : new Date(horizon).toISOString();
    const queries: SessionQuery[] = [
      ...OPEN_STATUS_FILTERS.map((status) => ({
        key: status,
        filter: { status },
        pages: previous?.openPages.get(status) ?? 1,
      })),
      { key: 'closed', filter: { dateCloseFrom: closedFrom } },
    ];
    const { results } = await readSessionQueries(this.client, queries, { signal });
    const byChat = new Map<number, SessionItem>();
    for (const session of previous?.byChat.values() ?? []) {
      if (!isActiveStatus(sessionStatusOf(session.status) ?? 'new') && closedAfter(session, horizon)) {
        keepLatest(byChat, session);
      }
    }
    for (const result of results.values()) for (const session of result.sessions) keepLatest(byChat, session);
    const closedSince = latestIso(...[...byChat.values()].map((session) => session.dateClose));
    this.view = {
      closedDays,
      byChat,
      openPages: new Map(OPEN_STATUS_FILTERS.map((status) => [status, results.get(status)?.pages ?? 1])),
      closedSince: closedSince ?? previous?.closedSince ?? null,
    };
    return [...byChat.values()];
  }

  /** Each chat's latest session created in the range, read in windows the portal accepts (≤ 366 days). */
  private async readHistory(range: ChatScope & { kind: 'history' }, signal?: AbortSignal): Promise<SessionItem[]> {
    const start = localDayStart(range.from);
    const end = localDayStart(range.to) + DAY_MS - 1000;
    const queries: SessionQuery[] = [];
    for (let from = start, index = 0; from <= end; from += HISTORY_WINDOW_DAYS * DAY_MS, index++) {
      const to = Math.min(end, from + HISTORY_WINDOW_DAYS * DAY_MS - 1000);
      queries.push({
        key: `h${index}`,
        filter: { dateCreateFrom: new Date(from).toISOString(), dateCreateTo: new Date(to).toISOString() },
      });
    }
    const { results } = await readSessionQueries(this.client, queries, { signal });
    const byChat = new Map<number, SessionItem>();
    for (const result of results.values()) for (const session of result.sessions) keepLatest(byChat, session);
    return [...byChat.values()];
  }

  private sessionRow(session: SessionItem, status: SessionStatus, directory: Directory, now: number): ChatRow {
    const dialog = this.dialogs.get(session.chatId);
    const active = isActiveStatus(status);
    const lastActivity = latestIso(
      session.dateCreate,
      session.dateFirstAnswer,
      session.dateOperatorAnswer,
      session.dateClose,
    );
    return row(directory, {
      chatId: session.chatId,
      lineId: session.configId || dialog?.lineId || 0,
      visitor:
        visitorFromTitle(dialog?.title ?? '', directory, session.configId) ||
        visitorLabel(session.userCode, session.userId),
      status,
      active,
      operatorId: session.operatorId,
      sessionId: session.id,
      dateCreate: session.dateCreate,
      lastActivity,
      waitingSeconds: active && isWaitingStatus(status) ? secondsSince(session.dateCreate, now) : null,
    });
  }

  private async fromRecent(directory: Directory, signal?: AbortSignal): Promise<ChatRow[]> {
    const { chats } = await listRecentOpenLineChats(this.client, signal);
    const missing = chats
      .filter((chat) => chat.incomplete && !this.dialogs.has(chat.chatId))
      .sort((a, b) => compareDesc(a.lastActivity, b.lastActivity))
      .map((chat) => chat.chatId);
    await this.readDialogs(missing, signal);
    const now = this.now();
    return chats.map((chat) => this.recentRow(chat, directory, now));
  }

  private recentRow(chat: RecentChat, directory: Directory, now: number): ChatRow {
    const dialog = chat.incomplete ? this.dialogs.get(chat.chatId) : undefined;
    const ownerId = dialog?.ownerId ?? chat.ownerId;
    const sessionId = dialog?.sessionId || chat.sessionId || 0;
    // Without `lines.status` (the caller is in no queue) the state is inferred: a responsible operator means the
    // dialog was answered, none means it waits in the queue, no session at all means it is closed.
    const status: SessionStatus =
      (chat.statusCode === null ? null : sessionStatusOf(chat.statusCode)) ??
      (sessionId === 0 ? 'closed' : ownerId > 0 ? 'answered' : 'new');
    const active = isActiveStatus(status);
    const dateCreate = chat.dateCreate ?? dialog?.dateCreate ?? null;
    const lastActivity = latestIso(chat.lastActivity, dateCreate);
    return row(directory, {
      chatId: chat.chatId,
      lineId: chat.lineId || dialog?.lineId || 0,
      visitor:
        visitorFromTitle(chat.title || dialog?.title || '', directory, chat.lineId || dialog?.lineId || 0) ||
        visitorLabel(chat.userCode, 0),
      status,
      active,
      operatorId: ownerId,
      sessionId,
      dateCreate,
      lastActivity,
      waitingSeconds: active && isWaitingStatus(status) ? secondsSince(lastActivity, now) : null,
    });
  }

  /** Batched `imopenlines.dialog.get` for up to the per-list budget; chats the caller may not read are skipped. */
  private async readDialogs(chatIds: number[], signal?: AbortSignal): Promise<void> {
    const wanted = chatIds.slice(0, this.lookupBudget);
    if (wanted.length === 0) return;
    const commands: BatchCommand[] = wanted.map((chatId) => ({
      key: `d${chatId}`,
      method: 'imopenlines.dialog.get',
      params: { CHAT_ID: chatId },
    }));
    const report = await this.client.batch(commands, { idempotent: true, signal });
    for (const outcome of report.outcomes.values()) {
      if (outcome.status !== 'ok') continue;
      const dialog = parseDialog(outcome.result);
      if (dialog.chatId > 0) this.dialogs.set(dialog.chatId, dialog);
    }
    if (report.stoppedBy) throw report.stoppedBy;
  }
}

type RowCore = Omit<ChatRow, 'lineName' | 'operatorName'>;

function row(directory: Directory, core: RowCore): ChatRow {
  if (core.lineId > 0 && !directory.lines.has(core.lineId)) directory.lines.set(core.lineId, lineLabel(core.lineId));
  if (core.operatorId > 0 && !directory.operators.has(core.operatorId)) {
    directory.operators.set(core.operatorId, operatorLabel(core.operatorId));
  }
  return {
    ...core,
    lineName: directory.lines.get(core.lineId) ?? '',
    operatorName: core.operatorId > 0 ? (directory.operators.get(core.operatorId) ?? '') : '',
  };
}

/** Open-line chats are titled `<visitor> - <line name>`; the list shows the visitor part. */
function visitorFromTitle(title: string, directory: Directory, lineId: number): string {
  const lineName = directory.lines.get(lineId);
  const suffix = lineName ? ` - ${lineName}` : null;
  return suffix && title.endsWith(suffix) && title.length > suffix.length ? title.slice(0, -suffix.length) : title;
}

function visitorLabel(userCode: string, userId: number): string {
  if (userId > 0) return `Visitor #${userId}`;
  return userCode ? `Visitor ${userCode}` : 'Visitor';
}

function secondsSince(iso: string | null, now: number): number | null {
  if (iso === null) return null;
  return Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
}

function closedAfter(session: SessionItem, horizon: number): boolean {
  return session.dateClose !== null && Date.parse(session.dateClose) >= horizon;
}

/** Midnight of a YYYY-MM-DD day in this computer's time zone, in unix ms. */
function localDayStart(day: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date).getTime();
}

function compareDesc(a: string | null, b: string | null): number {
  return (b === null ? 0 : Date.parse(b)) - (a === null ? 0 : Date.parse(a));
}

function sortedEntries(map: Map<number, string>): Array<{ id: number; name: string }> {
  return [...map].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id);
}
