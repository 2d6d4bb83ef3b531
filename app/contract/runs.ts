import { z } from 'zod';
import { chatIdSchema } from './chats.ts';

export const runModeSchema = z.enum(['start', 'restart']);
export type RunMode = z.infer<typeof runModeSchema>;

export const CHAT_STATES = ['pending', 'sent', 'started', 'verified', 'already-active', 'failed', 'skipped'] as const;
export const chatStateSchema = z.enum(CHAT_STATES);
export type ChatState = z.infer<typeof chatStateSchema>;

/** Where the chats of a bulk run come from. */
export const runSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ids'), chatIds: z.array(chatIdSchema).max(50_000) }),
  /** Pasted text or an opened text/CSV file, parsed in the main process with line numbers. */
  z.object({ kind: z.literal('text'), text: z.string().max(5_000_000), fileName: z.string().max(260).optional() }),
]);
export type RunSource = z.infer<typeof runSourceSchema>;

export const invalidLineSchema = z.object({ line: z.number(), input: z.string(), reason: z.string() });
export type InvalidLineInfo = z.infer<typeof invalidLineSchema>;

export const runPreviewSchema = z.object({
  previewId: z.string(),
  mode: runModeSchema,
  total: z.number(),
  invalid: z.array(invalidLineSchema),
  duplicates: z.number(),
  /** Blank lines of a pasted list or file: skipped, not bad. */
  blankLines: z.number(),
  requests: z.number(),
  expectedSeconds: z.number(),
});
export type RunPreview = z.infer<typeof runPreviewSchema>;

export const runCountsSchema = z.object(
  Object.fromEntries(CHAT_STATES.map((state) => [state, z.number()])) as {
    [K in (typeof CHAT_STATES)[number]]: z.ZodNumber;
  },
);
export type RunCounts = z.infer<typeof runCountsSchema>;

export const runStatusSchema = z.enum([
  'running',
  'paused',
  'holding',
  'stopped',
  'cancelled',
  'finished',
  'interrupted',
]);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runProgressSchema = z.object({
  runId: z.string(),
  /** Empty when the run's portal came from OPENLINES_WEBHOOK_URL rather than a profile. */
  profileId: z.string(),
  profileName: z.string(),
  /** Host of the portal. */
  portal: z.string(),
  mode: runModeSchema,
  status: runStatusSchema,
  total: z.number(),
  counts: runCountsSchema,
  /** Restart: chats whose session the run has closed and whose new one is not started yet (they wait with it). */
  closedWaiting: z.number(),
  requests: z.number(),
  limitHits: z.number(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** Seconds left at the current pace, when known. */
  etaSeconds: z.number().nullable(),
  /** Why the run holds or stopped, for the banner: operating budget (with resume time), portal block, auth. */
  reason: z.object({ code: z.string(), message: z.string(), until: z.number().nullable() }).nullable(),
  /** The run whose failed chats this run retries. */
  retryOf: z.string().nullable(),
  /** The results CSV in the data folder, once the run has stopped or finished. */
  resultsFile: z.string().nullable(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

export const runChatResultSchema = z.object({
  chatId: z.number(),
  state: chatStateSchema,
  code: z.string().nullable(),
  message: z.string().nullable(),
  sessionId: z.number().nullable(),
});
export type RunChatResult = z.infer<typeof runChatResultSchema>;
