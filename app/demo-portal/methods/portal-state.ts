// The demo portal's in-memory state as its REST methods see it: the seeded data, the lookups and access checks every
// namespace shares, and the one method table assembled from one file per Bitrix24 namespace. Shapes follow the
// fact sheet (§6, §7).
import { toInt, upperKeys } from '../format.ts';
import {
  chatIdFromUserCode,
  type Line,
  type OpenLineChat,
  type PortalData,
  type SessionRecord,
  STATUS,
} from '../seed-data.ts';
import { configMethods } from './config.ts';
import { dialogMethods } from './dialog.ts';
import { operatorMethods } from './operators.ts';
import { recentMethods } from './recent.ts';
import { sessionMethods } from './sessions.ts';
import { statisticsMethods } from './statistics.ts';
import { userMethods } from './user.ts';

/** A method-level error: HTTP 400 unless said otherwise, or an entry in a batch's `result_error`. */
export class MethodError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export interface MethodContext {
  params: Record<string, unknown>;
  callerId: number;
  /** Fault knob: the portal cannot tell who calls (imopenlines methods answer USER_ID). */
  callerUnknown: boolean;
}

export interface MethodOutput {
  result: unknown;
  total?: number;
  next?: number;
}

export type Handler = (ctx: MethodContext) => MethodOutput;
/** The methods of one namespace, by name. */
export type MethodTable = Record<string, Handler>;

export type SessionListMode = 'available' | 'absent' | 'tariff';

export interface PortalStateOptions {
  data: PortalData;
  callerId: number;
  sessionList: SessionListMode;
  onSessionStart: (chatId: number) => void;
}

/** Methods that change nothing; every other method invalidates the cached list orders. */
const READ_ONLY = new Set([
  'imopenlines.session.open',
  'imopenlines.dialog.get',
  'imopenlines.session.history.get',
  'imopenlines.config.list.get',
  'imopenlines.v2.Session.list',
  'imopenlines.v2.Operator.list',
  'im.recent.list',
  'im.recent.get',
  'profile',
  'user.get',
]);

export interface RecentRow {
  lastActivity: number;
  item: () => unknown;
}

export interface SessionRow {
  session: SessionRecord;
  chat: OpenLineChat;
}

export const ACCESS_DENIED_TEXT = 'You do not have access to this dialog';
export const DAY = 86_400_000;

/** Scope a method needs; `batch`, `profile` and `scope` need none. */
export function requiredScope(method: string): string | undefined {
  if (method.startsWith('imopenlines.')) return 'imopenlines';
  if (method.startsWith('im.')) return 'im';
  if (method.startsWith('user.')) return 'user';
  return undefined;
}

export class PortalState {
  readonly data: PortalData;
  readonly callerId: number;
  sessionList: SessionListMode;
  readonly onSessionStart: (chatId: number) => void;
  private readonly lineById: Map<number, Line>;
  readonly handlers: MethodTable;
  /** Bumped by every write; list methods keep their sorted rows while it stays the same. */
  version = 0;
  readonly sortedSessions = new Map<string, { version: number; at: number; rows: SessionRow[] }>();
  readonly sortedRecent = new Map<string, { version: number; rows: RecentRow[] }>();

  constructor(options: PortalStateOptions) {
    this.data = options.data;
    this.callerId = options.callerId;
    this.sessionList = options.sessionList;
    this.onSessionStart = options.onSessionStart;
    this.lineById = new Map(this.data.lines.map((line) => [line.id, line]));
    this.handlers = {
      ...sessionMethods(this),
      ...dialogMethods(this),
      ...operatorMethods(this),
      ...configMethods(this),
      ...statisticsMethods(this),
      ...recentMethods(this),
      ...userMethods(this),
    };
  }

  /** The handler for a method name (case-insensitive, as PHP's method lookup), or undefined. */
  handler(method: string): { name: string; run: Handler } | undefined {
    const lower = method.toLowerCase();
    for (const [name, run] of Object.entries(this.handlers)) {
      if (name.toLowerCase() !== lower) continue;
      if (name === 'imopenlines.v2.Session.list' && this.sessionList === 'absent') return undefined;
      if (READ_ONLY.has(name)) return { name, run };
      return {
        name,
        run: (ctx) => {
          // Any write may reorder the lists, so their cached sort orders are dropped.
          this.version++;
          return run(ctx);
        },
      };
    }
    return undefined;
  }

  line(id: number): Line | undefined {
    return this.lineById.get(id);
  }

  // ── lookups and access checks ──────────────────────────────────────────────

  checkCaller(ctx: MethodContext): void {
    if (ctx.callerUnknown) throw new MethodError('USER_ID', 'The user could not be determined');
  }

  /** The shared check of session and operator methods: CHAT_ID, CHAT_TYPE, ACCESS_DENIED, USER_ID. */
  linesChat(ctx: MethodContext, emptyCode = 'CHAT_ID'): OpenLineChat {
    this.checkCaller(ctx);
    const params = upperKeys(ctx.params);
    const chatId = toInt(params.CHAT_ID);
    if (!(chatId > 0)) throw new MethodError(emptyCode, 'Chat ID can’t be empty or invalid');
    if (this.data.groupChats.has(chatId)) throw new MethodError('CHAT_TYPE', 'The chat is not an open-line chat');
    const chat = this.data.chats.get(chatId);
    if (!chat) throw new MethodError('CHAT_ID', 'The chat does not exist');
    if (!this.line(chat.lineId)?.accessible) throw new MethodError('ACCESS_DENIED', ACCESS_DENIED_TEXT);
    return chat;
  }

  byUserCode(code: string): OpenLineChat | undefined {
    const chat = this.data.chats.get(chatIdFromUserCode(code));
    return chat?.userCode === code ? chat : undefined;
  }

  newSession(chat: OpenLineChat, operatorId: number, now: number): SessionRecord {
    const id = this.data.nextSessionId++;
    const session: SessionRecord = {
      id,
      chatId: chat.chatId,
      lineId: chat.lineId,
      operatorId,
      status: STATUS.answer,
      dateCreate: now,
      dateClose: null,
      dateFirstAnswer: now,
      closeReason: null,
      vote: null,
      messages: [{ id: id * 20, authorId: 0, date: now, text: 'The operator started a new session' }],
      messageSeed: 0,
    };
    chat.pastSessions.push(chat.session);
    chat.session = session;
    chat.pinned = false;
    chat.lastActivity = now;
    this.data.newSessions.set(id, session);
    return session;
  }

  closeSession(chat: OpenLineChat, status: number, reason: SessionRecord['closeReason']): void {
    const now = Date.now();
    chat.session.status = status;
    chat.session.dateClose = now;
    chat.session.closeReason = reason;
    chat.pinned = false;
    chat.lastActivity = now;
  }
}
