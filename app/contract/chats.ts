import { z } from 'zod';

export const SESSION_STATUSES = [
  'new',
  'skipped',
  'answered',
  'client-waiting',
  'operator-replied',
  'closing',
  'closed',
  'spam',
] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const chatRowSchema = z.object({
  chatId: z.number().int().positive(),
  lineId: z.number().int().nonnegative(),
  lineName: z.string(),
  /** Visitor name exactly as the portal sent it: always rendered as text. */
  visitor: z.string(),
  status: sessionStatusSchema,
  /** True while the session is open (status below closed). */
  active: z.boolean(),
  operatorId: z.number().int().nonnegative(),
  operatorName: z.string(),
  sessionId: z.number().int().nonnegative(),
  /** ISO date the session was created. */
  dateCreate: z.string().nullable(),
  /** ISO date of the last activity, when known. */
  lastActivity: z.string().nullable(),
  /** Seconds the client has been waiting for an answer, when waiting. */
  waitingSeconds: z.number().nullable(),
});
export type ChatRow = z.infer<typeof chatRowSchema>;

/** Closed chats the default view keeps: those closed in the last N days (open ones are always there). */
export const DEFAULT_CLOSED_DAYS = 2;
export const MAX_CLOSED_DAYS = 90;
/** A history range may span ten years; the portal is asked in windows of at most 366 days. */
export const MAX_HISTORY_DAYS = 3660;

const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'not a calendar date');

/**
 * Which chats the list holds: the working view (every open session and those closed in the last `closedDays`
 * days), or the sessions created between two calendar days (inclusive, the computer's time zone), read on demand.
 */
export const chatScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('current'), closedDays: z.number().int().min(0).max(MAX_CLOSED_DAYS) }).strict(),
  z
    .object({ kind: z.literal('history'), from: calendarDay, to: calendarDay })
    .strict()
    .refine((range) => range.from <= range.to, 'the range ends before it starts')
    .refine(
      (range) => (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 < MAX_HISTORY_DAYS,
      `a range of at most ${MAX_HISTORY_DAYS} days`,
    ),
]);
export type ChatScope = z.infer<typeof chatScopeSchema>;
export const DEFAULT_CHAT_SCOPE: ChatScope = { kind: 'current', closedDays: DEFAULT_CLOSED_DAYS };

export const chatListSchema = z.object({
  chats: z.array(chatRowSchema),
  lines: z.array(z.object({ id: z.number(), name: z.string() })),
  operators: z.array(z.object({ id: z.number(), name: z.string() })),
  /** Which route produced the list: imopenlines.v2.Session.list, or im.recent.* with dialog.get. */
  source: z.enum(['session-list', 'recent']),
  /** What the list holds (the recent route has no history: it always answers the working view). */
  scope: chatScopeSchema,
  fetchedAt: z.number(),
});
export type ChatList = z.infer<typeof chatListSchema>;

export const historyMessageSchema = z.object({
  id: z.number(),
  authorName: z.string(),
  date: z.string(),
  text: z.string(),
});

export const chatDetailSchema = z.object({
  chatId: z.number(),
  title: z.string(),
  userCode: z.string(),
  sessionId: z.number(),
  lineId: z.number(),
  ownerId: z.number(),
  canJoin: z.boolean(),
  messages: z.array(historyMessageSchema),
});
export type ChatDetail = z.infer<typeof chatDetailSchema>;

export const sessionStartResultSchema = z.object({
  chatId: z.number(),
  outcome: z.enum(['started', 'already-active']),
  sessionId: z.number(),
});
export type SessionStartResult = z.infer<typeof sessionStartResultSchema>;

export const chatIdSchema = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
