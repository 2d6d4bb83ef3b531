// The one contract between the renderer and the main process (or the browser host): every channel with the zod
// schemas of its input and output, and every event with its payload. Types everywhere are derived from here.
import { z } from 'zod';
import { chatDetailSchema, chatIdSchema, chatListSchema, chatScopeSchema, sessionStartResultSchema } from './chats.ts';
import { limitsSnapshotSchema } from './limits.ts';
import {
  connectionStateSchema,
  profileAddSchema,
  profileCheckSchema,
  profileIdSchema,
  profileSummarySchema,
  provisioningReportSchema,
} from './profiles.ts';
import { runChatResultSchema, runModeSchema, runPreviewSchema, runProgressSchema, runSourceSchema } from './runs.ts';

const none = z.object({}).strict();
const profileRef = z.object({ profileId: profileIdSchema }).strict();
const runRef = z.object({ runId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/) }).strict();

function channel<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const channels = {
  'app.info': channel(
    none,
    z.object({ version: z.string(), runtime: z.enum(['electron', 'browser']), dataFolder: z.string() }),
  ),

  'profiles.list': channel(
    none,
    z.object({ profiles: z.array(profileSummarySchema), activeProfileId: z.string().nullable() }),
  ),
  'profiles.select': channel(profileRef, z.object({ activeProfileId: z.string() })),
  'profiles.add': channel(profileAddSchema, profileSummarySchema),
  'profiles.rename': channel(
    z.object({ profileId: profileIdSchema, name: z.string().trim().min(1).max(120) }).strict(),
    profileSummarySchema,
  ),
  'profiles.setSecret': channel(
    z.object({ profileId: profileIdSchema, webhookUrl: z.string().max(2048) }).strict(),
    profileSummarySchema,
  ),
  'profiles.remove': channel(profileRef, z.object({ removed: z.string() })),
  'profiles.import': channel(z.object({ text: z.string().max(5_000_000) }).strict(), provisioningReportSchema),
  'profiles.check': channel(profileRef, profileCheckSchema),

  'connection.get': channel(profileRef, connectionStateSchema),

  'chats.list': channel(
    z.object({ profileId: profileIdSchema, scope: chatScopeSchema.optional() }).strict(),
    chatListSchema,
  ),
  'chats.detail': channel(z.object({ profileId: profileIdSchema, chatId: chatIdSchema }).strict(), chatDetailSchema),
  'sessions.start': channel(
    z.object({ profileId: profileIdSchema, chatId: chatIdSchema }).strict(),
    sessionStartResultSchema,
  ),

  'limits.get': channel(profileRef, limitsSnapshotSchema),

  /** The renderer's persisted query cache (never a secret), kept per profile in the data folder. */
  'cache.load': channel(profileRef, z.object({ data: z.string().nullable() })),
  'cache.save': channel(
    z.object({ profileId: profileIdSchema, data: z.string().max(50_000_000) }).strict(),
    z.object({}),
  ),

  'runs.preview': channel(
    z
      .object({
        profileId: profileIdSchema,
        mode: runModeSchema,
        source: runSourceSchema,
        skipInvalid: z.boolean(),
        /** The ended run whose failed chats this run retries. */
        retryOf: runRef.shape.runId.optional(),
      })
      .strict(),
    runPreviewSchema,
  ),
  'runs.start': channel(z.object({ previewId: z.string().max(80) }).strict(), runProgressSchema),
  'runs.pause': channel(runRef, runProgressSchema),
  'runs.resume': channel(runRef, runProgressSchema),
  'runs.cancel': channel(runRef, runProgressSchema),
  'runs.list': channel(z.object({ profileId: profileIdSchema.optional() }).strict(), z.array(runProgressSchema)),
  'runs.results': channel(runRef, z.array(runChatResultSchema)),
  'runs.exportCsv': channel(runRef, z.object({ fileName: z.string(), csv: z.string() })),
} as const;

export const events = {
  'limits.changed': limitsSnapshotSchema,
  'connection.changed': connectionStateSchema,
  'run.progressed': runProgressSchema,
  'profiles.changed': z.object({}),
} as const;

export type ChannelName = keyof typeof channels;
export type EventName = keyof typeof events;
export type ChannelInput<C extends ChannelName> = z.input<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.infer<(typeof channels)[C]['output']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
