// The demo portal's reproducible data set: lines, operators, open-line chats with sessions, a few group chats.
// Every chat has its own seeded generator and is built on first read, so even 50,000 chats start instantly.
// (Over 400 lines on purpose: the data types and the one generator that must draw them in a fixed order.)

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Session STATUS integers (fact sheet §7.1). */
export const STATUS = {
  new: 0,
  skip: 5,
  answer: 10,
  client: 20,
  clientAfterOperator: 25,
  operator: 40,
  waitClient: 50,
  close: 60,
  spam: 65,
  duplicate: 69,
  silentlyClose: 75,
} as const;
export const ALL_STATUSES = [0, 5, 10, 20, 25, 40, 50, 60, 65, 69, 75] as const;
export const isClosed = (status: number): boolean => status >= 60;

export interface Operator {
  id: number;
  name: string;
  lastName: string;
  workPosition: string;
  presence: 'online' | 'away' | 'offline';
  maxChats: number;
}

export interface Line {
  id: number;
  name: string;
  connector: string;
  active: boolean;
  queue: number[];
  /** False for the line the webhook user has no rights to (ACCESS_DENIED / ACCESS_ERROR). */
  accessible: boolean;
  dateCreate: number;
}

export interface Message {
  id: number;
  authorId: number;
  date: number;
  text: string;
}

export interface SessionRecord {
  id: number;
  chatId: number;
  lineId: number;
  operatorId: number;
  status: number;
  dateCreate: number;
  dateClose: number | null;
  dateFirstAnswer: number | null;
  closeReason: 'operator' | 'auto' | 'spam' | 'client' | null;
  vote: 'like' | 'dislike' | null;
  /** Generated on first read, so 50,000 chats cost nothing until someone opens them. */
  messages: Message[] | undefined;
  messageSeed: number;
}

export interface OpenLineChat {
  chatId: number;
  lineId: number;
  visitorId: number;
  visitorName: string;
  userCode: string;
  connector: string;
  /** Current session (the latest); older ones are in `pastSessions`. */
  session: SessionRecord;
  pastSessions: SessionRecord[];
  pinned: boolean;
  silent: boolean;
  /** Whether the webhook user is a member (shows in im.recent.*). */
  callerIsMember: boolean;
  crmLeadId: number;
  lastActivity: number;
}

export interface GroupChat {
  chatId: number;
  title: string;
  lastActivity: number;
}

/** A one-to-one dialog of the caller with a colleague: in the recent list beside the chats (item type P). */
export interface DirectDialog {
  userId: number;
  /** The private chat behind the dialog. */
  chatId: number;
  name: string;
  lastActivity: number;
}

export interface PortalData {
  operators: Operator[];
  lines: Line[];
  chats: ChatStore;
  groupChats: Map<number, GroupChat>;
  directDialogs: DirectDialog[];
  /** Sessions opened while the portal runs; seeded ones are found from their id (see `findSession`). */
  newSessions: Map<number, SessionRecord>;
  /** The first id handed to a session opened at run time; seeded ids are below it. */
  firstNewSessionId: number;
  /** The first id of the chats' current and earlier sessions; the historic sessions' ids (older, closed) are below. */
  firstChatSessionId: number;
  /** Historic sessions by `id − FIRST_SESSION_ID`, oldest first; they are also in their chat's `pastSessions`. */
  history: SessionRecord[];
  nextSessionId: number;
}

const FIRST_CHAT_ID = 1001;
const FIRST_SESSION_ID = 500;
/** Chats at the end of the seed whose sessions are the newest, in id order (some sit on lines the caller cannot see). */
const NEWEST_SEEDED = 20;

/**
 * Seeded session ids: historic ones from 500 up, then per chat `first + 3 × index + 2` (current) and `… + 1` (an
 * earlier one), so no index map is needed.
 */
export function findSession(data: PortalData, id: number): SessionRecord | undefined {
  if (id >= data.firstNewSessionId) return data.newSessions.get(id);
  if (id < data.firstChatSessionId) return data.history[id - FIRST_SESSION_ID];
  const index = Math.floor((id - data.firstChatSessionId) / 3);
  const chat = data.chats.get(FIRST_CHAT_ID + index);
  if (!chat) return undefined;
  if (chat.session.id === id) return chat.session;
  return chat.pastSessions.find((session) => session.id === id);
}

export const HOSTILE_NAMES = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  `${'Very long visitor name '.repeat(14)}end`.slice(0, 300),
  `"Bobby" O'Brien'); DROP TABLE chats;--`,
  '\u202Eevil.exe\u202C \u200Fשלום\u200F',
  '{{constructor.constructor("alert(1)")()}} #{7*7} %s %n',
] as const;

const NAME_POOLS: ReadonlyArray<{ first: readonly string[]; last: readonly string[]; sep: string }> = [
  {
    first: ['Emma', 'Lucas', 'Sofia', 'Liam', 'Zoë', 'José', 'Chloé', 'Noah'],
    last: ['Schmidt', 'Martin', 'Rossi', 'García', 'Müller', 'Dubois'],
    sep: ' ',
  },
  {
    first: ['Иван', 'Мария', 'Олег', 'Анна', 'Дмитрий'],
    last: ['Петров', 'Смирнова', 'Кузнецов', 'Соколова'],
    sep: ' ',
  },
  { first: ['王', '李', '张', '刘', '陈'], last: ['伟', '娜', '敏', '静', '强'], sep: '' },
  { first: ['محمد', 'فاطمة', 'علي', 'ليلى'], last: ['العلي', 'الزهراء', 'حسن', 'منصور'], sep: ' ' },
  { first: ['Anna 🌸', '🚀 Kai', 'Mia 👩‍💻', 'Leo 🦁'], last: ['', '✨', '🎉'], sep: ' ' },
];

const MESSAGE_TEXTS = [
  'Hello! I have a question about my order.',
  'Здравствуйте, не могу оплатить заказ.',
  '你好，我的包裹在哪里？',
  'مرحبا، أحتاج إلى مساعدة',
  'Thanks a lot 🙏',
  'See https://example.com/orders/42?tab=status for details',
  'Please wait, I am checking.',
  'Is anyone there?',
  '<b>bold</b> & "quoted" text',
  'Your request has been forwarded to the specialist.',
];

export const OPERATORS: readonly Operator[] = [
  { id: 1, name: 'Alex', lastName: 'Morgan', workPosition: 'Supervisor', presence: 'online', maxChats: 10 },
  { id: 2, name: 'Olga', lastName: 'Ivanova', workPosition: 'Operator', presence: 'online', maxChats: 8 },
  { id: 3, name: 'Chen', lastName: 'Wei', workPosition: 'Operator', presence: 'online', maxChats: 8 },
  { id: 4, name: 'Fatima', lastName: 'Haddad', workPosition: 'Operator', presence: 'away', maxChats: 6 },
  { id: 5, name: 'Jonas', lastName: 'Berg', workPosition: 'Senior operator', presence: 'offline', maxChats: 12 },
  { id: 6, name: 'Priya', lastName: 'Nair', workPosition: 'Operator', presence: 'online', maxChats: 8 },
  { id: 7, name: 'Marco', lastName: 'Bianchi', workPosition: 'VIP desk', presence: 'online', maxChats: 4 },
];

const DAY = 86_400_000;

const STATUS_WEIGHTS: ReadonlyArray<[number, number]> = [
  [0, 8],
  [5, 4],
  [10, 8],
  [20, 10],
  [25, 6],
  [40, 14],
  [50, 5],
  [60, 30],
  [65, 5],
  [69, 3],
  [75, 7],
];
const STATUS_TOTAL = STATUS_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function weightedStatus(random: () => number): number {
  let roll = random() * STATUS_TOTAL;
  for (const [status, weight] of STATUS_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return status;
  }
  return 60;
}

/** Every first/last combination of every script, built once so generation allocates no name strings. */
const VISITOR_NAMES: readonly (readonly string[])[] = NAME_POOLS.map((pool) =>
  pool.first.flatMap((first) => pool.last.map((last) => `${first}${pool.sep}${last}`.trim())),
);

function visitorName(random: () => number): string {
  return pick(random, pick(random, VISITOR_NAMES));
}

export function makeLines(now: number): Line[] {
  return [
    {
      id: 1,
      name: 'Website chat',
      connector: 'livechat',
      active: true,
      queue: [1, 2, 3],
      accessible: true,
      dateCreate: now - 400 * DAY,
    },
    {
      id: 2,
      name: 'Telegram',
      connector: 'telegrambot',
      active: true,
      queue: [1, 2, 4],
      accessible: true,
      dateCreate: now - 300 * DAY,
    },
    {
      id: 3,
      name: 'WhatsApp',
      connector: 'whatsappbytwilio',
      active: true,
      queue: [3, 5, 6],
      accessible: true,
      dateCreate: now - 200 * DAY,
    },
    {
      id: 4,
      name: 'VIP clients (restricted)',
      connector: 'livechat',
      active: true,
      queue: [7],
      accessible: false,
      dateCreate: now - 150 * DAY,
    },
    {
      id: 5,
      name: 'Facebook (inactive)',
      connector: 'facebook',
      active: false,
      queue: [2],
      accessible: true,
      dateCreate: now - 500 * DAY,
    },
  ];
}

const LINE_WEIGHTS: ReadonlyArray<[number, number]> = [
  [1, 35],
  [2, 25],
  [3, 25],
  [4, 10],
  [5, 5],
];

function weightedLine(random: () => number): number {
  let roll = random() * 100;
  for (const [line, weight] of LINE_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return line;
  }
  return 1;
}

function makeSession(
  random: () => number,
  id: number,
  chatId: number,
  line: Line,
  status: number,
  dateCreate: number,
  now: number,
): SessionRecord {
  const taken = status !== 0 && status !== 5;
  const operatorId = taken ? pick(random, line.queue) : 0;
  const dateFirstAnswer = taken ? Math.min(now, dateCreate + Math.floor(random() * 600_000)) : null;
  const closed = isClosed(status);
  return {
    id,
    chatId,
    lineId: line.id,
    operatorId,
    status,
    dateCreate,
    dateClose: closed ? Math.min(now, dateCreate + Math.floor(random() * DAY)) : null,
    dateFirstAnswer,
    closeReason: !closed ? null : status === 65 ? 'spam' : pick(random, ['operator', 'auto', 'client'] as const),
    vote: closed && random() < 0.3 ? pick(random, ['like', 'dislike'] as const) : null,
    messages: undefined,
    messageSeed: Math.floor(random() * 2 ** 31),
  };
}

/**
 * The open-line chats. Each one is built from its own seeded generator the first time it is read, so creating
 * 50,000 costs nothing up front, any chat is the same whatever order chats are read in, and listing methods
 * pay for materializing once.
 */
export class ChatStore {
  private readonly built: Array<OpenLineChat | undefined>;

  constructor(
    readonly size: number,
    private readonly build: (index: number) => OpenLineChat,
  ) {
    this.built = new Array(size);
  }

  get(chatId: number): OpenLineChat | undefined {
    const index = chatId - FIRST_CHAT_ID;
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return undefined;
    let chat = this.built[index];
    if (!chat) {
      chat = this.build(index);
      this.built[index] = chat;
    }
    return chat;
  }

  has(chatId: number): boolean {
    const index = chatId - FIRST_CHAT_ID;
    return Number.isInteger(index) && index >= 0 && index < this.size;
  }

  *values(): IterableIterator<OpenLineChat> {
    for (let index = 0; index < this.size; index++) yield this.get(FIRST_CHAT_ID + index) as OpenLineChat;
  }

  ids(): number[] {
    return Array.from({ length: this.size }, (_, index) => FIRST_CHAT_ID + index);
  }
}

/** `<connector>|<line>|<connector chat id>|<visitor id>`; the connector chat id is the chat id plus 7000. */
export function chatIdFromUserCode(code: string): number {
  const parts = code.split('|');
  return parts.length === 4 ? Number(parts[2]) - 7000 : Number.NaN;
}

/** Historic sessions end before the oldest earlier session a chat is seeded with (30 + 60 + 1 days back). */
const HISTORY_ENDS_DAYS_AGO = 92;
export const HISTORY_MIN_DAYS = HISTORY_ENDS_DAYS_AGO + 1;

export interface HistorySeed {
  /** Closed sessions spread over the chats, older than any chat's current or earlier session. */
  sessions: number;
  /** How far back the oldest one lies (default two years). */
  days?: number;
}

export function generatePortalData(
  seed: number,
  chatCount: number,
  callerId: number,
  now = Date.now(),
  historySeed: HistorySeed = { sessions: 0 },
): PortalData {
  const firstChatSessionId = FIRST_SESSION_ID + historySeed.sessions;
  const lines = makeLines(now);
  const lineById = new Map(lines.map((line) => [line.id, line]));
  const callerLines = new Set(lines.filter((line) => line.queue.includes(callerId)).map((line) => line.id));
  const buildChat = (index: number): OpenLineChat => {
    const random = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
    const chatId = FIRST_CHAT_ID + index;
    // The first chats cover every status on accessible lines, so small data sets still show them all.
    const lineId = index < ALL_STATUSES.length ? 1 + (index % 3) : weightedLine(random);
    const line = lineById.get(lineId) as Line;
    const status = index < ALL_STATUSES.length ? (ALL_STATUSES[index] as number) : weightedStatus(random);
    const hostileIndex = (index - 2) / 3;
    const name =
      Number.isInteger(hostileIndex) && hostileIndex >= 0 && hostileIndex < HOSTILE_NAMES.length
        ? (HOSTILE_NAMES[hostileIndex] as string)
        : visitorName(random);
    const visitorId = 100_000 + index;
    const drawn = now - Math.floor(random() * 30 * DAY) - 60_000;
    // Session ids grow with creation time on a portal: the last chats hold the largest seeded ids, so their sessions
    // are the newest (a bulk run reads the highest id from the newest sessions). Earlier chats keep random dates.
    const fromEnd = chatCount - 1 - index;
    const dateCreate = fromEnd < NEWEST_SEEDED ? now - 60_000 - fromEnd * 1000 : drawn;
    const session = makeSession(random, firstChatSessionId + index * 3 + 2, chatId, line, status, dateCreate, now);
    const pastSessions: SessionRecord[] = [];
    if (random() < 0.25) {
      const pastCreate = dateCreate - Math.floor(random() * 60 * DAY) - DAY;
      pastSessions.push(makeSession(random, session.id - 1, chatId, line, 60, pastCreate, now));
    }
    const lastActivity = Math.min(
      now,
      (session.dateClose ?? session.dateFirstAnswer ?? dateCreate) + Math.floor(random() * 3_600_000),
    );
    return {
      chatId,
      lineId,
      visitorId,
      visitorName: name,
      userCode: `${line.connector}|${lineId}|${chatId + 7000}|${visitorId}`,
      connector: line.connector,
      session,
      pastSessions,
      pinned: !isClosed(status) && random() < 0.1,
      silent: false,
      callerIsMember: callerLines.has(lineId) || session.operatorId === callerId,
      crmLeadId: random() < 0.6 ? 1 + Math.floor(random() * 5000) : 0,
      lastActivity,
    };
  };
  const groupChats = new Map<number, GroupChat>();
  const titles = ['General', 'Support team', 'Sales', 'Night shift', 'Off-topic'];
  titles.forEach((title, index) => {
    groupChats.set(101 + index, { chatId: 101 + index, title, lastActivity: now - (index + 1) * 3_600_000 });
  });
  const directDialogs = OPERATORS.filter((op) => op.id !== callerId).map((op, index) => ({
    userId: op.id,
    chatId: 201 + index,
    name: `${op.name} ${op.lastName}`,
    lastActivity: now - (index + 1) * 5_400_000,
  }));
  const chats = new ChatStore(chatCount, buildChat);
  const firstNewSessionId = firstChatSessionId + chatCount * 3 + 10;
  return {
    operators: [...OPERATORS],
    lines,
    chats,
    groupChats,
    directDialogs,
    newSessions: new Map(),
    firstNewSessionId,
    nextSessionId: firstNewSessionId,
    firstChatSessionId,
    history: historicSessions(seed, chats, lineById, historySeed, now),
  };
}

/** Closed sessions with ids and dates rising together, each on a chat's line and added to its past sessions. */
function historicSessions(
  seed: number,
  chats: ChatStore,
  lineById: ReadonlyMap<number, Line>,
  historySeed: HistorySeed,
  now: number,
): SessionRecord[] {
  const count = historySeed.sessions;
  if (count === 0 || chats.size === 0) return [];
  const random = mulberry32((seed ^ 0x5bd1e995) >>> 0);
  const oldest = now - (historySeed.days ?? 730) * DAY;
  const span = Math.max(0, now - HISTORY_ENDS_DAYS_AGO * DAY - oldest);
  const history: SessionRecord[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const chat = chats.get(FIRST_CHAT_ID + Math.floor(random() * chats.size)) as OpenLineChat;
    const dateCreate = oldest + Math.floor((span * k) / count);
    const session = makeSession(
      random,
      FIRST_SESSION_ID + k,
      chat.chatId,
      lineById.get(chat.lineId) as Line,
      60,
      dateCreate,
      now,
    );
    history[k] = session;
    chat.pastSessions.push(session);
  }
  return history;
}

/** The messages of a session, generated from its seed the first time they are read. */
export function sessionMessages(session: SessionRecord, chat: OpenLineChat): Message[] {
  if (session.messages) return session.messages;
  const random = mulberry32(session.messageSeed);
  const count = 2 + Math.floor(random() * 7);
  const messages: Message[] = [];
  let date = session.dateCreate;
  // Messages end by the session's close, and never after now (a session opened a minute ago has a minute of them).
  const end = Math.max(session.dateCreate, session.dateClose ?? Date.now());
  for (let k = 0; k < count; k++) {
    const fromVisitor = k % 2 === 0 || session.operatorId === 0;
    date = Math.min(end, date + Math.floor(random() * 120_000) + 1000);
    messages.push({
      id: session.id * 20 + k,
      authorId: fromVisitor ? chat.visitorId : session.operatorId,
      date,
      text: pick(random, MESSAGE_TEXTS),
    });
  }
  session.messages = messages;
  return messages;
}
