import { z } from 'zod';

export const planSchema = z.enum(['standard', 'enterprise', 'detect']);
export const authKindSchema = z.enum(['webhook', 'oauth']);
export const profileIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a profile id is lower-case letters, digits and dashes');

export const defaultFiltersSchema = z.object({
  lineIds: z.array(z.number().int().positive()).default([]),
  statuses: z.array(z.string()).default([]),
  operatorIds: z.array(z.number().int().nonnegative()).default([]),
});

/** A profile as the renderer sees it: never a secret, only whether one is stored. */
export const profileSummarySchema = z.object({
  id: profileIdSchema,
  name: z.string(),
  host: z.string(),
  authKind: authKindSchema,
  plan: planSchema,
  isDefault: z.boolean(),
  /** The embedded demo portal, used when no profile exists. */
  isDemo: z.boolean(),
  hasSecret: z.boolean(),
  defaultFilters: defaultFiltersSchema,
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const connectionStateSchema = z.object({
  profileId: z.string(),
  state: z.enum(['unknown', 'online', 'unreachable', 'auth-failed', 'blocked']),
  message: z.string().nullable(),
  checkedAt: z.number().nullable(),
});
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export const profileCheckSchema = z.object({
  reachable: z.boolean(),
  user: z.string().nullable(),
  scopes: z.array(z.string()),
  missingScopes: z.array(z.string()),
  planHint: z.string().nullable(),
  message: z.string(),
});
export type ProfileCheck = z.infer<typeof profileCheckSchema>;

/** Input of profiles.add: the secret travels renderer → main only, and no channel ever sends it back. */
export const profileInputSchema = z.object({
  name: z.string().trim().min(1).max(120),
  /** Webhook URL `https://host/rest/<user>/<code>/`; the code part is split off into the keychain. */
  webhookUrl: z.string().trim().min(1).max(2048),
  plan: planSchema.default('detect'),
  caCertificatePem: z.string().max(65536).optional(),
});
export type ProfileInput = z.infer<typeof profileInputSchema>;

/** What the console's "Add a portal" sends: the connection is checked first unless the supervisor asked to skip it. */
export const profileAddSchema = profileInputSchema
  .extend({
    /** Save even though the portal could not be reached or refused the webhook. */
    saveUnchecked: z.boolean().optional(),
  })
  .strict();

export const provisioningReportSchema = z.object({
  imported: z.array(z.string()),
  updated: z.array(z.string()),
  /** Updated profiles whose portal or CA certificate changed: their secret was removed and must be entered again. */
  secretDropped: z.array(z.string()),
  rejected: z.array(z.object({ index: z.number(), field: z.string(), reason: z.string() })),
});
