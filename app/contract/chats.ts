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

export const chatListSchema = z.object({
  chats: z.array(chatRowSchema),
  lines: z.array(z.object({ id: z.number(), name: z.string() })),
  operators: z.array(z.object({ id: z.number(), name: z.string() })),
  /** Which route produced the list: imopenlines.v2.Session.list, or im.recent.* with dialog.get. */
  source: z.enum(['session-list', 'recent']),
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
