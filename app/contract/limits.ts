import { z } from 'zod';

export const limitsSnapshotSchema = z.object({
  portal: z.string(),
  bucket: z.object({ level: z.number(), capacity: z.number(), drainPerSecond: z.number() }),
  waiting: z.number(),
  methods: z.array(
    z.object({
      method: z.string(),
      operatingSeconds: z.number(),
      budgetSeconds: z.number(),
      resetAt: z.number().nullable(),
      heldUntil: z.number().nullable(),
    }),
  ),
  recentHits: z.array(z.object({ at: z.number(), code: z.string(), method: z.string() })),
  blocked: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
  requestsSent: z.number(),
});
export type LimitsSnapshot = z.infer<typeof limitsSnapshotSchema>;
