// imopenlines.v2.*: the statistics methods (Session.list with its filters and paging, Operator.list).
import { atom, toInt, toList } from '../format.ts';
import { isClosed, type OpenLineChat, type SessionRecord, STATUS, sessionMessages } from '../seed-data.ts';
import {
  DAY,
  type MethodContext,
  MethodError,
  type MethodOutput,
  type MethodTable,
  type PortalState,
  type SessionRow,
} from './portal-state.ts';

export function statisticsMethods(portal: PortalState): MethodTable {
  return {
    'imopenlines.v2.Session.list': (ctx) => sessionListV2(portal, ctx),
    'imopenlines.v2.Operator.list': (ctx) => operatorList(portal, ctx),
  };
}

const STATUS_GROUPS: Record<string, (session: SessionRecord, chat: OpenLineChat) => boolean> = {
  new: (s) => s.status === STATUS.new || s.status === STATUS.skip,
  answered: (s, c) => s.status >= STATUS.answer && s.status < STATUS.close && !(c.pinned && c.session === s),
  closed: (s) => s.status === STATUS.close || s.status === STATUS.duplicate || s.status === STATUS.silentlyClose,
  spam: (s) => s.status === STATUS.spam,
  paused: (s, c) => !isClosed(s.status) && c.pinned && c.session === s,
};

function statusName(session: SessionRecord, chat: OpenLineChat): string {
  for (const [name, test] of Object.entries(STATUS_GROUPS)) if (test(session, chat)) return name;
  return 'answered';
}

/** Every session on accessible lines in the requested order, cached until the next write (or 1 s for orders that depend on now). */
function sessionsInOrder(portal: PortalState, order: string, direction: string, now: number): SessionRow[] {
  const cacheKey = `${order}|${direction}`;
  const cached = portal.sortedSessions.get(cacheKey);
  if (cached && cached.version === portal.version && (order === 'dateCreate' || now - cached.at < 1000))
    return cached.rows;
  const rows: SessionRow[] = [];
  for (const chat of portal.data.chats.values()) {
    if (!portal.line(chat.lineId)?.accessible) continue;
    rows.push({ session: chat.session, chat });
    for (const session of chat.pastSessions) rows.push({ session, chat });
  }
  const key = (s: SessionRecord): number => {
    if (order === 'dateClose') return s.dateClose ?? now;
    if (order === 'waitAnswer') return (s.dateFirstAnswer ?? now) - s.dateCreate;
    if (order === 'waitClose') return (s.dateClose ?? now) - s.dateCreate;
    return s.dateCreate;
  };
  const sign = direction === 'asc' ? 1 : -1;
  rows.sort((a, b) => sign * (key(a.session) - key(b.session) || a.session.id - b.session.id));
  portal.sortedSessions.set(cacheKey, { version: portal.version, at: now, rows });
  return rows;
}

/** First-answer KPI of the demo's lines: an answer within a minute. */
const KPI_FIRST_ANSWER_MS = 60_000;

/** Every filter of `statistics/imopenlines-v2-session-list.md`, checked as the page says (INVALID_FILTER …). */
function sessionFilter(p: Record<string, unknown>): (row: SessionRow, now: number) => boolean {
  const configIds = idFilter(p.configId, p.configIdList);
  const operatorIds = idFilter(p.operatorId, p.operatorIdList);
  const sourceList = p.sourceList !== undefined ? toList(p.sourceList) : toList(p.source);
  if (sourceList.length > 1000) throw new MethodError('INVALID_FILTER', 'At most 1000 sources');
  const sources = sourceList.map(String);
  const status = p.status === undefined ? undefined : String(p.status);
  const statusTest = status === undefined ? undefined : STATUS_GROUPS[status];
  if (status !== undefined && !statusTest) throw new MethodError('INVALID_FILTER', `Unknown status: ${status}`);
  if (status !== undefined && p.closeReason !== undefined) {
    throw new MethodError('INVALID_FILTER', 'status and closeReason cannot be combined');
  }
  const createFrom = isoDate(p.dateCreateFrom, 'dateCreateFrom');
  const createTo = isoDate(p.dateCreateTo, 'dateCreateTo');
  const closeFrom = isoDate(p.dateCloseFrom, 'dateCloseFrom');
  const closeTo = isoDate(p.dateCloseTo, 'dateCloseTo');
  for (const [from, to] of [
    [createFrom, createTo],
    [closeFrom, closeTo],
  ]) {
    if (from !== undefined && to !== undefined && from > to)
      throw new MethodError('INVALID_FILTER', 'Dates out of order');
    if (from !== undefined && to !== undefined && to - from > 366 * DAY) {
      throw new MethodError('PERIOD_TOO_LARGE', 'The requested period exceeds the maximum of 1 year');
    }
  }
  const vote = p.vote === undefined ? undefined : String(p.vote);
  if (vote !== undefined && !['like', 'dislike', 'none', 'any'].includes(vote)) {
    throw new MethodError('INVALID_FILTER', `Unknown vote: ${vote}`);
  }
  const hasVoteHead = flag(p.hasVoteHead, 'hasVoteHead');
  const hasCrm = flag(p.hasCrm, 'hasCrm');
  const kpi = flag(p.kpiFirstAnswer, 'kpiFirstAnswer');
  if (kpi !== undefined && !fullPeriod(p)) {
    throw new MethodError('INVALID_FILTER', 'kpiFirstAnswer needs a full creation or close period');
  }
  const waitAnswer = secondsRange(p.waitAnswerFrom, p.waitAnswerTo, 'waitAnswer');
  const waitClose = secondsRange(p.waitCloseFrom, p.waitCloseTo, 'waitClose');
  const inRange = (value: number, range: [number, number]) => value >= range[0] && value <= range[1];
  return ({ session, chat }, now) => {
    if (configIds && !configIds.has(session.lineId)) return false;
    if (operatorIds && !operatorIds.has(session.operatorId)) return false;
    if (sources.length > 0 && !sources.includes(chat.connector)) return false;
    if (statusTest && !statusTest(session, chat)) return false;
    if (p.closeReason !== undefined && session.closeReason !== String(p.closeReason)) return false;
    if (createFrom !== undefined && session.dateCreate < createFrom) return false;
    if (createTo !== undefined && session.dateCreate > createTo) return false;
    if (closeFrom !== undefined && (session.dateClose === null || session.dateClose < closeFrom)) return false;
    if (closeTo !== undefined && (session.dateClose === null || session.dateClose > closeTo)) return false;
    if (vote === 'any' ? session.vote === null : vote !== undefined && (session.vote ?? 'none') !== vote) return false;
    // No supervisor has rated a demo session yet.
    if (hasVoteHead === true) return false;
    if (hasCrm !== undefined && chat.crmLeadId > 0 !== hasCrm) return false;
    if (kpi !== undefined && kpiMet(session) !== kpi) return false;
    if (waitAnswer && !inRange(waitAnswerOf(session, now), waitAnswer)) return false;
    if (waitClose && !inRange(waitCloseOf(session, now), waitClose)) return false;
    return true;
  };
}

function isoDate(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw new MethodError('INVALID_FILTER', `${name} is not an ISO 8601 date`);
  return ms;
}

/** Both ends of the creation period, or both of the close period. */
function fullPeriod(p: Record<string, unknown>): boolean {
  return (
    (p.dateCreateFrom !== undefined && p.dateCreateTo !== undefined) ||
    (p.dateCloseFrom !== undefined && p.dateCloseTo !== undefined)
  );
}

function secondsRange(from: unknown, to: unknown, name: string): [number, number] | undefined {
  if (from === undefined && to === undefined) return undefined;
  const low = from === undefined ? 0 : toInt(from);
  const high = to === undefined ? Number.POSITIVE_INFINITY : toInt(to);
  if (Number.isNaN(low) || Number.isNaN(high) || low < 0 || high < low) {
    throw new MethodError('INVALID_FILTER', `${name}From and ${name}To are seconds, from before to`);
  }
  return [low, high];
}

const waitAnswerOf = (s: SessionRecord, now: number) => Math.round(((s.dateFirstAnswer ?? now) - s.dateCreate) / 1000);
const waitCloseOf = (s: SessionRecord, now: number) => Math.round(((s.dateClose ?? now) - s.dateCreate) / 1000);
/** Null until the session was answered. */
const kpiMet = (s: SessionRecord): boolean | null =>
  s.dateFirstAnswer === null ? null : s.dateFirstAnswer - s.dateCreate <= KPI_FIRST_ANSWER_MS;

function sessionItem(session: SessionRecord, chat: OpenLineChat, now: number): Record<string, unknown> {
  return {
    id: session.id,
    configId: session.lineId,
    source: chat.connector,
    // Null while nobody took the session (the docs: integer | null).
    operatorId: session.operatorId > 0 ? session.operatorId : null,
    userId: chat.visitorId,
    // The customer's id in the channel, not the imopenlines USER_CODE of dialog.get.
    userCode: `${chat.connector}_${chat.visitorId}`,
    chatId: chat.chatId,
    dateCreate: atom(session.dateCreate),
    dateClose: session.dateClose === null ? null : atom(session.dateClose),
    dateFirstAnswer: session.dateFirstAnswer === null ? null : atom(session.dateFirstAnswer),
    dateOperatorAnswer: session.dateFirstAnswer === null ? null : atom(session.dateFirstAnswer),
    status: statusName(session, chat),
    closeReason: session.closeReason,
    vote: session.vote ?? 'none',
    voteHead: null,
    commentHead: null,
    crmEntityType: chat.crmLeadId > 0 ? 'lead' : null,
    crmEntityId: chat.crmLeadId > 0 ? chat.crmLeadId : null,
    queueTransfers: 0,
    waitAnswer: waitAnswerOf(session, now),
    waitClose: waitCloseOf(session, now),
    kpiFirstAnswer: kpiMet(session),
    messageCount: sessionMessages(session, chat).length,
  };
}

function sessionListV2(portal: PortalState, ctx: MethodContext): MethodOutput {
  if (portal.sessionList === 'tariff') {
    throw new MethodError('TARIFF_RESTRICTION', 'Statistics reports are not available on the current tariff plan');
  }
  const p = ctx.params;
  const limit = p.limit === undefined ? 50 : toInt(p.limit);
  const offset = p.offset === undefined ? 0 : toInt(p.offset);
  if (!(limit >= 1 && limit <= 200)) throw new MethodError('INVALID_FILTER', 'limit must be between 1 and 200');
  if (!(offset >= 0)) throw new MethodError('INVALID_FILTER', 'offset must be a non-negative integer');
  if (offset > 10000) throw new MethodError('OFFSET_TOO_LARGE', 'Offset is too large');
  const matches = sessionFilter(p);
  const asked = p.order === undefined ? 'dateCreate' : String(p.order);
  if (!['dateCreate', 'dateClose', 'waitAnswer', 'waitClose'].includes(asked)) {
    throw new MethodError('INVALID_FILTER', `Unknown order: ${asked}`);
  }
  // The other orders apply only with a full period; otherwise the portal sorts by creation date.
  const order = fullPeriod(p) ? asked : 'dateCreate';
  const direction = p.orderDirection === undefined ? 'desc' : String(p.orderDirection).toLowerCase();
  if (direction !== 'asc' && direction !== 'desc')
    throw new MethodError('INVALID_FILTER', 'orderDirection is asc or desc');
  const now = Date.now();
  const found: SessionRow[] = [];
  for (const row of sessionsInOrder(portal, order, direction, now)) {
    if (!matches(row, now)) continue;
    found.push(row);
    // One match past the page answers hasNextPage; nothing further is needed.
    if (found.length > offset + limit) break;
  }
  const page = found.slice(offset, offset + limit).map(({ session, chat }) => sessionItem(session, chat, now));
  return { result: { sessions: page, hasNextPage: offset + limit < found.length } };
}

/** `true`/`Y`/`1` and `false`/`N`/`0`, as the docs list them; anything else is not a filter value. */
function flag(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const text = String(value).toLowerCase();
  if (['true', 'y', '1'].includes(text)) return true;
  if (['false', 'n', '0'].includes(text)) return false;
  throw new MethodError('INVALID_FILTER', `Invalid ${name} filter value`);
}

/** A `…List` filter wins over the single one (the docs say so for configId and userId). */
function idFilter(single: unknown, list: unknown): Set<number> | undefined {
  const given = list !== undefined ? toList(list) : toList(single);
  const values = given.map(toInt);
  if (values.some((value) => Number.isNaN(value))) throw new MethodError('INVALID_FILTER', 'Ids must be integers');
  if (values.length > 1000) throw new MethodError('INVALID_FILTER', 'At most 1000 ids');
  return values.length > 0 ? new Set(values) : undefined;
}

/** The demo's presence in the documented statuses: `away` is a paused operator. */
const OPERATOR_STATUS = { online: 'online', away: 'pause', offline: 'offline' } as const;

/** imopenlines.v2.Operator.list as `statistics/imopenlines-v2-operator-list.md` documents it (no names: user.get). */
function operatorList(portal: PortalState, ctx: MethodContext): MethodOutput {
  if (portal.sessionList === 'tariff') {
    throw new MethodError('TARIFF_RESTRICTION', 'Statistics reports are not available on the current tariff plan');
  }
  const p = ctx.params;
  const configIds = idFilter(p.configId, p.configIdList);
  const userIds = idFilter(p.userId, p.userIdList);
  const status = p.status === undefined ? undefined : String(p.status);
  if (status !== undefined && !['online', 'offline', 'pause'].includes(status)) {
    throw new MethodError('INVALID_FILTER', 'Invalid status filter value');
  }
  const hasFreeSlots = flag(p.hasFreeSlots, 'hasFreeSlots');
  const limit = p.limit === undefined ? 50 : toInt(p.limit);
  const offset = p.offset === undefined ? 0 : toInt(p.offset);
  if (!(limit >= 1 && limit <= 200)) throw new MethodError('INVALID_FILTER', 'limit must be between 1 and 200');
  if (!(offset >= 0)) throw new MethodError('INVALID_FILTER', 'offset must be a non-negative integer');
  if (offset > 10_000 && (status !== undefined || hasFreeSlots !== undefined)) {
    throw new MethodError('OFFSET_TOO_LARGE', 'Offset is too large');
  }
  const active = new Map<string, number>();
  for (const chat of portal.data.chats.values()) {
    const { session } = chat;
    if (session.operatorId > 0 && !isClosed(session.status)) {
      const key = `${session.lineId}:${session.operatorId}`;
      active.set(key, (active.get(key) ?? 0) + 1);
    }
  }
  const rows: unknown[] = [];
  for (const line of portal.data.lines) {
    if (!line.accessible || (configIds && !configIds.has(line.id))) continue;
    for (const id of line.queue) {
      const op = portal.data.operators.find((item) => item.id === id);
      if (!op || (userIds && !userIds.has(id))) continue;
      const activeSessions = active.get(`${line.id}:${id}`) ?? 0;
      const freeSlots = Math.max(0, op.maxChats - activeSessions);
      const opStatus = OPERATOR_STATUS[op.presence];
      if (status !== undefined && opStatus !== status) continue;
      if (hasFreeSlots !== undefined && freeSlots > 0 !== hasFreeSlots) continue;
      rows.push({
        userId: id,
        configId: line.id,
        status: opStatus,
        activeSessions,
        maxChat: op.maxChats,
        freeSlots,
        lastActivityDate: op.presence === 'offline' ? null : atom(Date.now() - 60_000 * id),
      });
    }
  }
  return { result: { operators: rows.slice(offset, offset + limit), hasNextPage: offset + limit < rows.length } };
}
