// The REST methods the demo portal serves, over its in-memory state. Shapes follow the fact sheet (§6, §7).
import { atom, isYes, toInt, toList, unixSeconds, upperKeys } from './format.ts';
import {
  chatIdFromUserCode,
  findSession,
  isClosed,
  type Line,
  type OpenLineChat,
  type PortalData,
  type SessionRecord,
  STATUS,
  sessionMessages,
} from './seed-data.ts';

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

export type SessionListMode = 'available' | 'absent' | 'tariff';

export interface PortalStateOptions {
  data: PortalData;
  callerId: number;
  sessionList: SessionListMode;
  onSessionStart: (chatId: number) => void;
}

type Handler = (ctx: MethodContext) => MethodOutput;

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
]);

interface RecentRow {
  lastActivity: number;
  item: () => unknown;
}

interface SessionRow {
  session: SessionRecord;
  chat: OpenLineChat;
}

const ACCESS_DENIED_TEXT = 'You do not have access to this dialog';
const DAY = 86_400_000;

/** Scope a method needs; `batch`, `profile` and `scope` need none. */
export function requiredScope(method: string): string | undefined {
  if (method.startsWith('imopenlines.')) return 'imopenlines';
  if (method.startsWith('im.')) return 'im';
  return undefined;
}

export class PortalState {
  readonly data: PortalData;
  readonly callerId: number;
  sessionList: SessionListMode;
  private readonly onSessionStart: (chatId: number) => void;
  private readonly lineById: Map<number, Line>;
  readonly handlers: Record<string, Handler>;
  /** Bumped by every write; list methods keep their sorted rows while it stays the same. */
  private version = 0;
  private readonly sortedSessions = new Map<string, { version: number; at: number; rows: SessionRow[] }>();
  private readonly sortedRecent = new Map<string, { version: number; rows: RecentRow[] }>();

  constructor(options: PortalStateOptions) {
    this.data = options.data;
    this.callerId = options.callerId;
    this.sessionList = options.sessionList;
    this.onSessionStart = options.onSessionStart;
    this.lineById = new Map(this.data.lines.map((line) => [line.id, line]));
    this.handlers = {
      'imopenlines.session.start': (ctx) => this.sessionStart(ctx),
      'imopenlines.session.open': (ctx) => this.sessionOpen(ctx),
      'imopenlines.dialog.get': (ctx) => this.dialogGet(ctx),
      'imopenlines.session.join': (ctx) => this.sessionJoin(ctx),
      'imopenlines.session.intercept': (ctx) => this.sessionIntercept(ctx),
      'imopenlines.session.history.get': (ctx) => this.historyGet(ctx),
      'imopenlines.session.mode.pin': (ctx) => this.pin(ctx, undefined),
      'imopenlines.session.mode.unpin': (ctx) => this.pin(ctx, false),
      'imopenlines.session.mode.pinAll': (ctx) => this.pinAll(ctx, true),
      'imopenlines.session.mode.unpinAll': (ctx) => this.pinAll(ctx, false),
      'imopenlines.session.mode.silent': (ctx) => this.silent(ctx),
      'imopenlines.operator.answer': (ctx) => this.operatorAnswer(ctx),
      'imopenlines.operator.skip': (ctx) => this.operatorSkip(ctx),
      'imopenlines.operator.spam': (ctx) => this.close(ctx, 'spam'),
      'imopenlines.operator.finish': (ctx) => this.close(ctx, 'finish'),
      'imopenlines.operator.another.finish': (ctx) => this.close(ctx, 'another'),
      'imopenlines.operator.transfer': (ctx) => this.transfer(ctx),
      'imopenlines.config.list.get': (ctx) => this.configList(ctx),
      'imopenlines.v2.Session.list': (ctx) => this.sessionListV2(ctx),
      'imopenlines.v2.Operator.list': (ctx) => this.operatorList(ctx),
      'im.recent.list': (ctx) => this.recentList(ctx),
      'im.recent.get': (ctx) => this.recentGet(ctx),
      profile: () => this.profile(),
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

  private checkCaller(ctx: MethodContext): void {
    if (ctx.callerUnknown) throw new MethodError('USER_ID', 'The user could not be determined');
  }

  /** The shared check of session and operator methods: CHAT_ID, CHAT_TYPE, ACCESS_DENIED, USER_ID. */
  private linesChat(ctx: MethodContext, emptyCode = 'CHAT_ID'): OpenLineChat {
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

  private byUserCode(code: string): OpenLineChat | undefined {
    const chat = this.data.chats.get(chatIdFromUserCode(code));
    return chat?.userCode === code ? chat : undefined;
  }

  private newSession(chat: OpenLineChat, operatorId: number, now: number): SessionRecord {
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

  private closeSession(chat: OpenLineChat, status: number, reason: SessionRecord['closeReason']): void {
    const now = Date.now();
    chat.session.status = status;
    chat.session.dateClose = now;
    chat.session.closeReason = reason;
    chat.pinned = false;
    chat.lastActivity = now;
  }

  // ── sessions ───────────────────────────────────────────────────────────────

  private sessionStart(ctx: MethodContext): MethodOutput {
    const chat = this.linesChat(ctx);
    chat.callerIsMember = true;
    if (isClosed(chat.session.status)) {
      this.newSession(chat, ctx.callerId, Date.now());
      this.onSessionStart(chat.chatId);
    }
    // On an active session it only joins the caller and still answers true (fact sheet §6.1).
    return { result: true };
  }

  private sessionOpen(ctx: MethodContext): MethodOutput {
    this.checkCaller(ctx);
    const code = String(upperKeys(ctx.params).USER_CODE ?? '');
    const chat = code === '' ? undefined : this.byUserCode(code);
    if (!chat || !this.line(chat.lineId)?.accessible) {
      throw new MethodError('ACCESS_DENIED', 'You do not have access to the chat of this user code');
    }
    return { result: { chatId: String(chat.chatId) } };
  }

  private sessionJoin(ctx: MethodContext): MethodOutput {
    const chat = this.linesChat(ctx);
    chat.callerIsMember = true;
    return { result: true };
  }

  private sessionIntercept(ctx: MethodContext): MethodOutput {
    this.checkCaller(ctx);
    const chatId = toInt(upperKeys(ctx.params).CHAT_ID);
    if (!(chatId > 0)) throw new MethodError('CHAT_ID_EMPTY', 'Chat ID can’t be empty');
    const chat = this.data.chats.get(chatId);
    // Access failures (wrong chat type, no rights, closed dialog) are all folded into OPERATOR_WRONG (§6.5).
    if (!chat || !this.line(chat.lineId)?.accessible || isClosed(chat.session.status)) {
      throw new MethodError('OPERATOR_WRONG', 'You can not redirect to this operator');
    }
    if (chat.session.operatorId > 0 && chat.session.operatorId !== ctx.callerId) {
      chat.session.operatorId = ctx.callerId;
      chat.callerIsMember = true;
      chat.lastActivity = Date.now();
    }
    return { result: true };
  }

  private pin(ctx: MethodContext, force: boolean | undefined): MethodOutput {
    const chat = this.linesChat(ctx, 'CHAT_ID_EMPTY');
    const activate = force ?? String(upperKeys(ctx.params).ACTIVATE ?? 'Y').toUpperCase() !== 'N';
    if (!isClosed(chat.session.status)) chat.pinned = activate;
    return { result: true };
  }

  private pinAll(ctx: MethodContext, activate: boolean): MethodOutput {
    this.checkCaller(ctx);
    const ids: number[] = [];
    for (const chat of this.data.chats.values()) {
      const { session } = chat;
      if (session.operatorId !== ctx.callerId || isClosed(session.status) || chat.pinned === activate) continue;
      chat.pinned = activate;
      ids.push(session.id);
    }
    return { result: ids.sort((a, b) => b - a) };
  }

  private silent(ctx: MethodContext): MethodOutput {
    const chat = this.linesChat(ctx);
    chat.silent = String(upperKeys(ctx.params).ACTIVATE ?? '').toUpperCase() === 'Y';
    return { result: true };
  }

  // ── operator actions ───────────────────────────────────────────────────────

  private operatorAnswer(ctx: MethodContext): MethodOutput {
    const chat = this.linesChat(ctx);
    if (isClosed(chat.session.status)) throw new MethodError('ACCESS_DENIED', 'The dialog is already closed');
    chat.session.operatorId = ctx.callerId;
    chat.session.status = STATUS.answer;
    chat.session.dateFirstAnswer ??= Date.now();
    chat.callerIsMember = true;
    chat.lastActivity = Date.now();
    return { result: true };
  }

  private operatorSkip(ctx: MethodContext): MethodOutput {
    const chat = this.linesChat(ctx);
    if (isClosed(chat.session.status)) throw new MethodError('ACCESS_DENIED_KICK', 'The dialog cannot be handed over');
    chat.session.operatorId = 0;
    chat.session.status = STATUS.skip;
    chat.lastActivity = Date.now();
    return { result: true };
  }

  private close(ctx: MethodContext, how: 'spam' | 'finish' | 'another'): MethodOutput {
    const chat = this.linesChat(ctx);
    if (isClosed(chat.session.status)) return { result: true };
    if (how === 'spam') this.closeSession(chat, STATUS.spam, 'spam');
    else if (how === 'another') this.closeSession(chat, STATUS.close, 'operator');
    else if (chat.session.operatorId !== ctx.callerId) {
      throw new MethodError('ACCESS_DENIED', 'Only the dialog’s own operator can finish it');
    } else this.closeSession(chat, STATUS.close, 'operator');
    return { result: true };
  }

  private transfer(ctx: MethodContext): MethodOutput {
    this.checkCaller(ctx);
    const params = upperKeys(ctx.params);
    const chatId = toInt(params.CHAT_ID);
    if (!(chatId > 0)) throw new MethodError('CHAT_ID_EMPTY', 'Chat ID can’t be empty');
    let userId = toInt(params.USER_ID);
    let queueId = toInt(params.QUEUE_ID);
    const transferId = params.TRANSFER_ID === undefined ? '' : String(params.TRANSFER_ID);
    if (transferId.startsWith('queue')) queueId = toInt(transferId.slice(5));
    else if (transferId !== '') userId = toInt(transferId);
    if (!(userId > 0) && !(queueId > 0))
      throw new MethodError('TRANSFER_ID_EMPTY', 'Queue ID or User ID can’t be empty');
    const chat = this.data.chats.get(chatId);
    const wrong = new MethodError('OPERATOR_WRONG', 'You can not redirect to this operator');
    if (!chat || !this.line(chat.lineId)?.accessible || isClosed(chat.session.status)) throw wrong;
    if (userId > 0) {
      if (userId === ctx.callerId || !this.data.operators.some((op) => op.id === userId)) throw wrong;
      chat.session.operatorId = userId;
    } else {
      const target = this.line(queueId);
      if (!target?.accessible || !target.active) throw wrong;
      chat.lineId = target.id;
      chat.session.lineId = target.id;
      chat.session.operatorId = 0;
      chat.session.status = STATUS.new;
    }
    chat.lastActivity = Date.now();
    return { result: true };
  }

  // ── dialog and history ─────────────────────────────────────────────────────

  entityData1(chat: OpenLineChat): string {
    const { session } = chat;
    const crm = chat.crmLeadId > 0;
    return [
      crm ? 'Y' : 'N',
      crm ? 'LEAD' : 'NONE',
      crm ? chat.crmLeadId : 0,
      chat.pinned ? 'Y' : 'N',
      'N',
      session.id,
      unixSeconds(session.dateCreate),
      chat.lineId,
      0,
      0,
    ].join('|');
  }

  private chatName(chat: OpenLineChat): string {
    return `${chat.visitorName} - ${this.line(chat.lineId)?.name ?? 'Open line'}`;
  }

  /** The snake_case chat object of dialog.get and of im.recent items. */
  chatObject(chat: OpenLineChat): Record<string, unknown> {
    const { session } = chat;
    const messages = sessionMessages(session, chat);
    const lastId = messages[messages.length - 1]?.id ?? 0;
    return {
      id: chat.chatId,
      parent_chat_id: 0,
      parent_message_id: 0,
      name: this.chatName(chat),
      description: '',
      owner: isClosed(session.status) ? 0 : session.operatorId,
      extranet: false,
      avatar: '',
      color: '#4ba984',
      type: 'lines',
      entity_type: 'LINES',
      entity_id: chat.userCode,
      entity_data_1: this.entityData1(chat),
      entity_data_2: chat.crmLeadId > 0 ? `LEAD|${chat.crmLeadId}|COMPANY|0|CONTACT|0|DEAL|0` : '',
      entity_data_3: chat.silent ? 'Y' : 'N',
      entity_link: { type: 'LINES', url: '', id: chat.userCode },
      disk_folder_id: 0,
      date_create: atom(session.dateCreate),
      message_type: 'L',
      public: '',
      role: chat.callerIsMember ? 'MEMBER' : 'NONE',
      manager_list: session.operatorId > 0 ? [session.operatorId] : [],
      counter: 0,
      user_counter: session.operatorId > 0 ? 2 : 1,
      message_count: messages.length,
      last_message_id: lastId,
      last_id: lastId,
      unread_id: 0,
      marked_id: 0,
      mute_list: [],
      restrictions: {
        avatar: true,
        extend: true,
        leave: true,
        leave_owner: true,
        rename: true,
        send: true,
        user_list: true,
      },
      permissions: {
        manage_users_add: 'MEMBER',
        manage_users_delete: 'MANAGER',
        manage_ui: 'MEMBER',
        manage_settings: 'OWNER',
      },
      readed_list: [],
      last_message_views: { message_id: lastId, first_viewers: [], count_of_viewers: 0 },
      text_field_enabled: true,
      background_id: null,
      is_new: false,
    };
  }

  private dialogGet(ctx: MethodContext): MethodOutput {
    const params = upperKeys(ctx.params);
    let chat: OpenLineChat | undefined;
    if (params.CHAT_ID !== undefined) chat = this.data.chats.get(toInt(params.CHAT_ID));
    else if (params.DIALOG_ID !== undefined) {
      const match = /^chat(\d+)$/.exec(String(params.DIALOG_ID));
      chat = match ? this.data.chats.get(Number(match[1])) : undefined;
    } else if (params.SESSION_ID !== undefined) {
      const session = findSession(this.data, toInt(params.SESSION_ID));
      chat = session ? this.data.chats.get(session.chatId) : undefined;
    } else if (params.USER_CODE !== undefined) chat = this.byUserCode(String(params.USER_CODE));
    // Not found and forbidden are indistinguishable on purpose (§6.3).
    if (!chat || !this.line(chat.lineId)?.accessible) {
      throw new MethodError('ACCESS_ERROR', 'You do not have access to the specified dialog');
    }
    return { result: this.chatObject(chat) };
  }

  private historyGet(ctx: MethodContext): MethodOutput {
    this.checkCaller(ctx);
    const params = upperKeys(ctx.params);
    let session: SessionRecord | undefined;
    if (params.SESSION_ID !== undefined) {
      session = findSession(this.data, toInt(params.SESSION_ID));
      if (!session) throw new MethodError('ACCESS_DENIED', ACCESS_DENIED_TEXT);
    } else if (params.CHAT_ID !== undefined) {
      session = this.data.chats.get(toInt(params.CHAT_ID))?.session;
      if (!session) throw new MethodError('INVALID_SESSION_ID', 'No session could be found for this chat');
    } else throw new MethodError('MISSING_REQUIRED_PARAM', 'SESSION_ID or CHAT_ID is required');
    const chat = this.data.chats.get(session.chatId) as OpenLineChat;
    if (!this.line(chat.lineId)?.accessible) throw new MethodError('ACCESS_DENIED', ACCESS_DENIED_TEXT);
    const messages = sessionMessages(session, chat);
    const message: Record<string, unknown> = {};
    for (const item of messages) {
      message[item.id] = {
        id: item.id,
        chatid: chat.chatId,
        senderid: item.authorId,
        recipientid: `chat${chat.chatId}`,
        date: atom(item.date),
        text: item.text,
        textlegacy: item.text,
        params: item.authorId === 0 ? { CLASS: 'bx-messenger-content-item-ol-output' } : [],
      };
    }
    const userIds = new Set(messages.map((item) => item.authorId).filter((id) => id > 0));
    const users: Record<string, unknown> = {};
    for (const id of userIds) {
      const operator = this.data.operators.find((op) => op.id === id);
      const name = operator ? `${operator.name} ${operator.lastName}` : chat.visitorName;
      users[id] = {
        id,
        name,
        first_name: operator?.name ?? chat.visitorName,
        last_name: operator?.lastName ?? '',
        work_position: operator?.workPosition ?? '',
        color: '#df532d',
        avatar: '',
        gender: 'M',
        birthday: false,
        extranet: operator === undefined,
        network: false,
        bot: false,
        connector: operator === undefined,
        external_auth_id: operator ? 'default' : 'imconnector',
        status: 'online',
        idle: false,
        last_activity_date: atom(chat.lastActivity),
        desktop_last_date: false,
        mobile_last_date: false,
        departments: operator ? [1] : [],
        absent: false,
        phones: [],
      };
    }
    const chatInfo = this.chatObject(chat);
    return {
      result: {
        chatId: chat.chatId,
        sessionId: session.id,
        canJoin: isClosed(session.status) ? 'N' : 'Y',
        canVoteHead: 'Y',
        sessionVoteHead: 0,
        sessionCommentHead: null,
        userId: `chat${chat.chatId}`,
        message,
        usersMessage: { [`chat${chat.chatId}`]: messages.map((item) => item.id) },
        users,
        openlines: { canvoteashead: { [chat.lineId]: true } },
        userInGroup: {},
        woUserInGroup: {},
        chat: {
          [chat.chatId]: {
            id: chat.chatId,
            name: chatInfo.name,
            owner: chatInfo.owner,
            color: chatInfo.color,
            type: 'lines',
            entityType: 'LINES',
            entityId: chat.userCode,
            entityData1: chatInfo.entity_data_1,
            entityData2: chatInfo.entity_data_2,
            entityData3: chatInfo.entity_data_3,
            dateCreate: chatInfo.date_create,
            messageType: 'L',
            managerList: chatInfo.manager_list,
          },
        },
        userBlockChat: { [chat.chatId]: [] },
        userInChat: { [chat.chatId]: [...userIds, ctx.callerId] },
        files: [],
      },
    };
  }

  // ── lines, sessions list, operators ────────────────────────────────────────

  private lineFields(line: Line): Record<string, unknown> {
    return {
      ID: String(line.id),
      ACTIVE: line.active ? 'Y' : 'N',
      LINE_NAME: line.name,
      TEMPORARY: 'N',
      XML_ID: null,
      LANGUAGE_ID: 'en',
      CRM: 'Y',
      CRM_CREATE: 'lead',
      QUEUE_TYPE: 'evenly',
      QUEUE_TIME: '60',
      NO_ANSWER_TIME: '60',
      CHECK_AVAILABLE: 'N',
      MAX_CHAT: '0',
      TYPE_MAX_CHAT: 'answered',
      WELCOME_MESSAGE: 'Y',
      VOTE_MESSAGE: 'Y',
      CLOSE_RULE: 'text',
      AUTO_CLOSE_RULE: 'none',
      AUTO_CLOSE_TIME: '14400',
      FULL_CLOSE_TIME: '10',
      AUTO_EXPIRE_TIME: '86400',
      WORKTIME_ENABLE: 'N',
      KPI_FIRST_ANSWER_TIME: '0',
      KPI_FURTHER_ANSWER_TIME: '0',
      SESSION_PRIORITY: '0',
      OPERATOR_DATA: 'profile',
      DATE_CREATE: atom(line.dateCreate),
      DATE_MODIFY: atom(line.dateCreate),
      MODIFY_USER_ID: '1',
    };
  }

  private configList(ctx: MethodContext): MethodOutput {
    const params = upperKeys(ctx.params);
    const query = params.PARAMS ?? {};
    const options = params.OPTIONS ?? {};
    if (typeof query !== 'object' || query === null || typeof options !== 'object' || options === null) {
      throw new MethodError('INVALID_FORMAT', 'PARAMS and OPTIONS must be arrays');
    }
    const q = query as Record<string, unknown>;
    for (const key of Object.keys(q)) {
      if (!['select', 'order', 'filter', 'limit', 'offset'].includes(key)) {
        throw new MethodError('INVALID_FORMAT', `Unsupported PARAMS key: ${key}`);
      }
    }
    const limit = q.limit === undefined ? 50 : toInt(q.limit);
    const offset = q.offset === undefined ? 0 : toInt(q.offset);
    if (!(limit >= 0) || !(offset >= 0))
      throw new MethodError('INVALID_FORMAT', 'limit and offset must be non-negative integers');
    let rows = this.data.lines.map((line) => ({ line, fields: this.lineFields(line) }));
    const filter = (q.filter ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(filter)) {
      const field = key.replace(/^[=!<>]+/, '').toUpperCase();
      if (!rows[0] || !(field in rows[0].fields))
        throw new MethodError('INVALID_FORMAT', `Unknown filter field: ${key}`);
      rows = rows.filter((row) => String(row.fields[field]) === String(value));
    }
    const order = (q.order ?? {}) as Record<string, unknown>;
    const [orderField, orderDir] = Object.entries(order)[0] ?? ['ID', 'asc'];
    const dir = String(orderDir).toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw new MethodError('INVALID_FORMAT', 'Order direction must be asc or desc');
    const sortKey = orderField.toUpperCase();
    rows.sort((a, b) => {
      const x = a.fields[sortKey];
      const y = b.fields[sortKey];
      const cmp = sortKey === 'ID' ? Number(x) - Number(y) : String(x).localeCompare(String(y));
      return dir === 'desc' ? -cmp : cmp;
    });
    const select = toList(q.select).map((field) => String(field).toUpperCase());
    const withQueue = isYes((options as Record<string, unknown>).QUEUE);
    const result = rows.slice(offset, offset + Math.min(limit, 200)).map(({ line, fields }) => {
      const row: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) {
        if (select.length === 0 || select.includes(key) || key === 'ID') row[key] = value;
      }
      if (withQueue) {
        row.QUEUE = line.queue.map(String);
        const users: Record<string, unknown> = {};
        for (const id of line.queue) {
          const op = this.data.operators.find((item) => item.id === id);
          if (op) {
            users[id] = {
              USER_NAME: `${op.name} ${op.lastName}`,
              USER_WORK_POSITION: op.workPosition,
              USER_AVATAR: '',
              USER_AVATAR_ID: '0',
            };
          }
        }
        row.QUEUE_USERS_FIELDS = users;
      }
      return row;
    });
    return { result };
  }

  private static readonly STATUS_GROUPS: Record<string, (session: SessionRecord, chat: OpenLineChat) => boolean> = {
    new: (s) => s.status === STATUS.new || s.status === STATUS.skip,
    answered: (s, c) => s.status >= STATUS.answer && s.status < STATUS.close && !(c.pinned && c.session === s),
    closed: (s) => s.status === STATUS.close || s.status === STATUS.duplicate || s.status === STATUS.silentlyClose,
    spam: (s) => s.status === STATUS.spam,
    paused: (s, c) => !isClosed(s.status) && c.pinned && c.session === s,
  };

  private statusName(session: SessionRecord, chat: OpenLineChat): string {
    for (const [name, test] of Object.entries(PortalState.STATUS_GROUPS)) if (test(session, chat)) return name;
    return 'answered';
  }

  /** Every session on accessible lines in the requested order, cached until the next write (or 1 s for orders that depend on now). */
  private sessionsInOrder(order: string, direction: string, now: number): SessionRow[] {
    const cacheKey = `${order}|${direction}`;
    const cached = this.sortedSessions.get(cacheKey);
    if (cached && cached.version === this.version && (order === 'dateCreate' || now - cached.at < 1000))
      return cached.rows;
    const rows: SessionRow[] = [];
    for (const chat of this.data.chats.values()) {
      if (!this.line(chat.lineId)?.accessible) continue;
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
    this.sortedSessions.set(cacheKey, { version: this.version, at: now, rows });
    return rows;
  }

  private sessionListV2(ctx: MethodContext): MethodOutput {
    if (this.sessionList === 'tariff') {
      throw new MethodError('TARIFF_RESTRICTION', 'Your plan does not include Open Channels reports');
    }
    const p = ctx.params;
    const limit = p.limit === undefined ? 50 : toInt(p.limit);
    const offset = p.offset === undefined ? 0 : toInt(p.offset);
    if (!(limit >= 1 && limit <= 200)) throw new MethodError('INVALID_FILTER', 'limit must be between 1 and 200');
    if (!(offset >= 0)) throw new MethodError('INVALID_FILTER', 'offset must be a non-negative integer');
    if (offset > 10000) throw new MethodError('OFFSET_TOO_LARGE', 'offset may not exceed 10000; narrow the period');
    const ids = (single: unknown, list: unknown): Set<number> | undefined => {
      const values = [...toList(single), ...toList(list)].map(toInt);
      if (values.some((value) => Number.isNaN(value))) throw new MethodError('INVALID_FILTER', 'Ids must be integers');
      return values.length > 0 ? new Set(values) : undefined;
    };
    const configIds = ids(p.configId, p.configIdList);
    const operatorIds = ids(p.operatorId, p.operatorIdList);
    const sources = [...toList(p.source), ...toList(p.sourceList)].map(String);
    const status = p.status === undefined ? undefined : String(p.status);
    const statusTest = status === undefined ? undefined : PortalState.STATUS_GROUPS[status];
    if (status !== undefined && !statusTest) throw new MethodError('INVALID_FILTER', `Unknown status: ${status}`);
    if (status !== undefined && p.closeReason !== undefined) {
      throw new MethodError('INVALID_FILTER', 'status and closeReason cannot be combined');
    }
    const date = (value: unknown, name: string): number | undefined => {
      if (value === undefined) return undefined;
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) throw new MethodError('INVALID_FILTER', `${name} is not an ISO 8601 date`);
      return ms;
    };
    const createFrom = date(p.dateCreateFrom, 'dateCreateFrom');
    const createTo = date(p.dateCreateTo, 'dateCreateTo');
    const closeFrom = date(p.dateCloseFrom, 'dateCloseFrom');
    const closeTo = date(p.dateCloseTo, 'dateCloseTo');
    for (const [from, to] of [
      [createFrom, createTo],
      [closeFrom, closeTo],
    ]) {
      if (from !== undefined && to !== undefined && to - from > 366 * DAY) {
        throw new MethodError('PERIOD_TOO_LARGE', 'The period may not exceed 366 days');
      }
    }
    const order = p.order === undefined ? 'dateCreate' : String(p.order);
    if (!['dateCreate', 'dateClose', 'waitAnswer', 'waitClose'].includes(order)) {
      throw new MethodError('INVALID_FILTER', `Unknown order: ${order}`);
    }
    const direction = p.orderDirection === undefined ? 'desc' : String(p.orderDirection).toLowerCase();
    if (direction !== 'asc' && direction !== 'desc')
      throw new MethodError('INVALID_FILTER', 'orderDirection is asc or desc');
    const now = Date.now();
    const matches: SessionRow[] = [];
    for (const row of this.sessionsInOrder(order, direction, now)) {
      const { session, chat } = row;
      if (configIds && !configIds.has(session.lineId)) continue;
      if (operatorIds && !operatorIds.has(session.operatorId)) continue;
      if (sources.length > 0 && !sources.includes(chat.connector)) continue;
      if (statusTest && !statusTest(session, chat)) continue;
      if (p.closeReason !== undefined && session.closeReason !== String(p.closeReason)) continue;
      if (createFrom !== undefined && session.dateCreate < createFrom) continue;
      if (createTo !== undefined && session.dateCreate > createTo) continue;
      if (closeFrom !== undefined && (session.dateClose === null || session.dateClose < closeFrom)) continue;
      if (closeTo !== undefined && (session.dateClose === null || session.dateClose > closeTo)) continue;
      matches.push(row);
      // One match past the page answers hasNextPage; nothing further is needed.
      if (matches.length > offset + limit) break;
    }
    const page = matches.slice(offset, offset + limit).map(({ session, chat }) => {
      const messages = sessionMessages(session, chat);
      return {
        id: session.id,
        configId: session.lineId,
        source: chat.connector,
        operatorId: session.operatorId,
        userId: chat.visitorId,
        userCode: chat.userCode,
        chatId: chat.chatId,
        dateCreate: atom(session.dateCreate),
        dateClose: session.dateClose === null ? null : atom(session.dateClose),
        dateFirstAnswer: session.dateFirstAnswer === null ? null : atom(session.dateFirstAnswer),
        dateOperatorAnswer: session.dateFirstAnswer === null ? null : atom(session.dateFirstAnswer),
        status: this.statusName(session, chat),
        closeReason: session.closeReason,
        vote: session.vote ?? 'none',
        voteHead: null,
        commentHead: null,
        crmEntityType: chat.crmLeadId > 0 ? 'LEAD' : null,
        crmEntityId: chat.crmLeadId > 0 ? chat.crmLeadId : null,
        queueTransfers: 0,
        waitAnswer: Math.round(((session.dateFirstAnswer ?? now) - session.dateCreate) / 1000),
        waitClose: Math.round(((session.dateClose ?? now) - session.dateCreate) / 1000),
        kpiFirstAnswer: null,
        messageCount: messages.length,
      };
    });
    return { result: { sessions: page, hasNextPage: offset + limit < matches.length } };
  }

  private operatorList(ctx: MethodContext): MethodOutput {
    const configIds = new Set([...toList(ctx.params.configId), ...toList(ctx.params.configIdList)].map(toInt));
    const active = new Map<string, number>();
    for (const chat of this.data.chats.values()) {
      const { session } = chat;
      if (session.operatorId > 0 && !isClosed(session.status)) {
        const key = `${session.lineId}:${session.operatorId}`;
        active.set(key, (active.get(key) ?? 0) + 1);
      }
    }
    const operators: unknown[] = [];
    for (const line of this.data.lines) {
      if (!line.accessible || (configIds.size > 0 && !configIds.has(line.id))) continue;
      for (const id of line.queue) {
        const op = this.data.operators.find((item) => item.id === id);
        if (!op) continue;
        const activeSessions = active.get(`${line.id}:${id}`) ?? 0;
        operators.push({
          operatorId: id,
          configId: line.id,
          name: `${op.name} ${op.lastName}`,
          status: op.presence,
          activeSessions,
          maxChats: op.maxChats,
          freeSlots: Math.max(0, op.maxChats - activeSessions),
        });
      }
    }
    return { result: { operators } };
  }

  // ── im.recent ──────────────────────────────────────────────────────────────

  /** The caller's recent list, newest first, cached per flag combination until the next write. */
  private recentItems(params: Record<string, unknown>): RecentRow[] {
    const onlyLines = isYes(params.ONLY_OPENLINES);
    const skipLines = isYes(params.SKIP_OPENLINES);
    const skipChats = isYes(params.SKIP_CHAT) || onlyLines;
    const cacheKey = `${skipLines}|${skipChats}`;
    const cached = this.sortedRecent.get(cacheKey);
    if (cached?.version === this.version) return cached.rows;
    const rows: RecentRow[] = [];
    if (!skipLines) {
      for (const chat of this.data.chats.values()) {
        if (!chat.callerIsMember || !this.line(chat.lineId)?.accessible) continue;
        rows.push({ lastActivity: chat.lastActivity, item: () => this.recentLinesItem(chat) });
      }
    }
    if (!skipChats) {
      for (const group of this.data.groupChats.values()) {
        rows.push({
          lastActivity: group.lastActivity,
          item: () => ({
            id: `chat${group.chatId}`,
            chat_id: group.chatId,
            type: 'chat',
            avatar: { url: '', color: '#5e5f5e' },
            title: group.title,
            message: {
              id: group.chatId * 10,
              text: 'Morning, team!',
              file: false,
              author_id: 2,
              attach: false,
              date: atom(group.lastActivity),
              status: 'received',
              uuid: null,
            },
            counter: 0,
            last_id: group.chatId * 10,
            pinned: false,
            unread: false,
            has_reminder: false,
            date_update: atom(group.lastActivity),
            date_last_activity: atom(group.lastActivity),
            user: { id: 0 },
            chat: {
              id: group.chatId,
              name: group.title,
              owner: 1,
              type: 'chat',
              entity_type: '',
              entity_id: '',
              entity_data_1: '',
              message_type: 'C',
              date_create: atom(group.lastActivity - 90 * DAY),
              role: 'MEMBER',
            },
            options: [],
          }),
        });
      }
    }
    rows.sort((a, b) => b.lastActivity - a.lastActivity);
    this.sortedRecent.set(cacheKey, { version: this.version, rows });
    return rows;
  }

  private recentLinesItem(chat: OpenLineChat): unknown {
    const chatInfo = this.chatObject(chat);
    const messages = sessionMessages(chat.session, chat);
    const last = messages[messages.length - 1];
    return {
      id: `chat${chat.chatId}`,
      chat_id: chat.chatId,
      type: 'chat',
      avatar: { url: '', color: '#4ba984' },
      title: chatInfo.name,
      message: {
        id: last?.id ?? 0,
        text: last?.text ?? '',
        file: false,
        author_id: last?.authorId ?? 0,
        attach: false,
        date: atom(chat.lastActivity),
        status: 'received',
        uuid: null,
      },
      counter: 0,
      last_id: last?.id ?? 0,
      pinned: false,
      unread: false,
      has_reminder: false,
      date_update: atom(chat.lastActivity),
      date_last_activity: atom(chat.lastActivity),
      user: { id: 0 },
      chat: chatInfo,
      lines: { id: chat.session.id, status: chat.session.status, date_create: atom(chat.session.dateCreate) },
      options: [],
    };
  }

  private recentList(ctx: MethodContext): MethodOutput {
    const params = upperKeys(ctx.params);
    const offset = Math.max(0, toInt(params.OFFSET ?? 0) || 0);
    const limit = Math.min(200, Math.max(1, toInt(params.LIMIT ?? 50) || 50));
    let rows = this.recentItems(params);
    if (params.LAST_MESSAGE_DATE !== undefined) {
      const before = Date.parse(String(params.LAST_MESSAGE_DATE));
      if (!Number.isNaN(before)) rows = rows.filter((row) => row.lastActivity < before);
    }
    const items = rows.slice(offset, offset + limit).map((row) => row.item());
    const hasMore = offset + limit < rows.length;
    return {
      result: { items, hasMore, hasMorePages: hasMore, copilot: null, messagesAutoDeleteConfigs: [] },
      total: -1,
    };
  }

  private recentGet(ctx: MethodContext): MethodOutput {
    const params = upperKeys(ctx.params);
    const since =
      params.LAST_UPDATE !== undefined
        ? Date.parse(String(params.LAST_UPDATE))
        : params.LAST_SYNC_DATE !== undefined
          ? Math.max(Date.parse(String(params.LAST_SYNC_DATE)), Date.now() - 7 * DAY)
          : Date.now() - 30 * DAY;
    const rows = this.recentItems(params).filter((row) => Number.isNaN(since) || row.lastActivity > since);
    return { result: rows.map((row) => row.item()) };
  }

  private profile(): MethodOutput {
    const op = this.data.operators.find((item) => item.id === this.callerId);
    return {
      result: {
        ID: String(this.callerId),
        ADMIN: true,
        NAME: op?.name ?? 'Demo',
        LAST_NAME: op?.lastName ?? 'User',
        PERSONAL_GENDER: '',
        PERSONAL_PHOTO: '',
        TIME_ZONE: 'Europe/Moscow',
        TIME_ZONE_OFFSET: 10800,
      },
    };
  }
}
