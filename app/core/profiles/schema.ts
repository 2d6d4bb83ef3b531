// The shape of a portal profile and of profiles.json. A profile never holds a secret: the schemas are strict, so a
// secret-shaped field is an error, not something carried along.
import { randomBytes, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parsePortalAddress, parseServiceUrl } from './address.ts';

export const PROFILES_SCHEMA_VERSION = 1;

export const profileIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'must be 1–64 lower-case letters, digits or dashes, starting with a letter or digit',
  );

export const profileNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(120, 'must be at most 120 characters');

const portalAddressSchema = z.string().transform((value, ctx) => {
  const parsed = parsePortalAddress(value);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.reason });
  return z.NEVER;
});

const serviceUrlSchema = z.string().transform((value, ctx) => {
  const parsed = parseServiceUrl(value);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.reason });
  return z.NEVER;
});

// Provisioning files are hand-written: accept "7" as well as 7.
const positiveIdSchema = z.union([
  z.int().positive('must be a positive whole number'),
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number')
    .transform(Number),
]);

export const webhookAuthSchema = z.strictObject({
  kind: z.literal('webhook'),
  /** The portal user who created the inbound webhook; the code itself is in the keychain. */
  userId: positiveIdSchema,
});

export const oauthAuthSchema = z.strictObject({
  kind: z.literal('oauth'),
  clientId: z.string().trim().min(1, 'must not be empty').max(200),
  /** `client_endpoint`, e.g. `https://portal.bitrix24.com/rest/`; defaults to the portal's `/rest/`. */
  clientEndpoint: serviceUrlSchema.optional(),
  /** Authorization server; the engine defaults to `https://oauth.bitrix.info/oauth/token/`. */
  tokenUrl: serviceUrlSchema.optional(),
});

export const authSchema = z.discriminatedUnion('kind', [webhookAuthSchema, oauthAuthSchema], {
  error: 'must say kind "webhook" (with userId) or "oauth" (with clientId)',
});

export const planSchema = z.enum(['standard', 'enterprise', 'detect'], {
  error: 'must be "standard", "enterprise" or "detect"',
});

/** Session states as `imopenlines.v2.Session.list` names them (fact sheet §7.4). */
export const sessionStatusSchema = z.enum(['new', 'answered', 'closed', 'spam', 'paused'], {
  error: 'must be one of new, answered, closed, spam, paused',
});

export const defaultFiltersSchema = z.strictObject({
  lineIds: z.array(positiveIdSchema).default([]),
  statuses: z.array(sessionStatusSchema).default([]),
  operatorIds: z.array(positiveIdSchema).default([]),
});

/** Checks a PEM bundle of CA certificates; refuses private keys, which would be a secret in a plain file. */
export function validateCaCertificatePem(pem: string): string | null {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return 'contains a private key; only the CA certificate (-----BEGIN CERTIFICATE-----) belongs here';
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'is not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${index + 1} of ${blocks.length} cannot be read (damaged or not X.509)`;
    }
  }
  return null;
}

const caCertificateSchema = z
  .string()
  .max(65_536, 'is larger than 64 KiB')
  .transform((value, ctx) => {
    const problem = validateCaCertificatePem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return value.trim();
  });

export const profileSchema = z.strictObject({
  id: profileIdSchema,
  name: profileNameSchema,
  /** `https://host[:port]`, the portal's origin. */
  portal: portalAddressSchema,
  auth: authSchema,
  plan: planSchema.default('detect'),
  caCertificatePem: caCertificateSchema.optional(),
  defaultFilters: defaultFiltersSchema.default({ lineIds: [], statuses: [], operatorIds: [] }),
  /** ISO time the profile came from a provisioning file, if it did. */
  provisionedAt: z.iso.datetime().optional(),
  /**
   * The keychain account of the profile's secret: its id plus a random part made when the profile was created, so
   * no other data folder and no later profile of the same id can read it. Absent only in files written before it
   * existed, until the store moves the old entry (keyed by the bare id) here.
   */
  keychainAccount: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}\.[0-9a-f]{16}$/, 'must be the profile id, a dot and 16 hex digits')
    .optional(),
});

export type Profile = z.output<typeof profileSchema>;
export type ProfileAuth = Profile['auth'];
export type ProfilePlan = Profile['plan'];
export type DefaultFilters = Profile['defaultFilters'];
export type SessionStatus = z.output<typeof sessionStatusSchema>;

/** What a provisioning entry may carry: a profile whose id is optional (derived from the name). */
export const provisioningEntrySchema = profileSchema.omit({ provisionedAt: true, keychainAccount: true }).extend({
  id: profileIdSchema.optional(),
});
export type ProvisioningEntry = z.output<typeof provisioningEntrySchema>;

export const provisioningRecordSchema = z.strictObject({
  /** Where the file was read (a path, or a label such as "menu import"). */
  source: z.string(),
  sha256: z.string(),
  at: z.iso.datetime(),
  imported: z.array(z.string()),
  rejected: z.int().nonnegative(),
});
export type ProvisioningRecord = z.output<typeof provisioningRecordSchema>;

export const profilesFileSchema = z
  .strictObject({
    schemaVersion: z.literal(PROFILES_SCHEMA_VERSION),
    defaultProfileId: profileIdSchema.nullable(),
    profiles: z.array(profileSchema),
    /** Provisioning files already imported, so the first-start import happens once. */
    provisioning: z.array(provisioningRecordSchema).default([]),
  })
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const [index, profile] of file.profiles.entries()) {
      if (ids.has(profile.id))
        ctx.addIssue({ code: 'custom', path: ['profiles', index, 'id'], message: 'is used twice' });
      const name = profile.name.toLowerCase();
      if (names.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['profiles', index, 'name'], message: 'is used twice' });
      }
      ids.add(profile.id);
      names.add(name);
    }
    if (file.defaultProfileId !== null && !ids.has(file.defaultProfileId)) {
      ctx.addIssue({ code: 'custom', path: ['defaultProfileId'], message: 'names no profile in the file' });
    }
  });
export type ProfilesFile = z.output<typeof profilesFileSchema>;

export function emptyProfilesFile(): ProfilesFile {
  return { schemaVersion: PROFILES_SCHEMA_VERSION, defaultProfileId: null, profiles: [], provisioning: [] };
}

export interface FieldProblem {
  /** Dotted path, e.g. `auth.userId`; `(entry)` for the entry as a whole. */
  field: string;
  reason: string;
}

/** zod issues as "field: reason" pairs; never includes the offending value. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(entry)';
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), reason: 'is not a profile field' };
    }
    return { field, reason: issue.message };
  });
}

/** A keychain account no other profile, data folder or earlier profile of the same id has used. */
export function newKeychainAccount(profileId: string): string {
  return `${profileId}.${randomBytes(8).toString('hex')}`;
}

/** Turns a display name into an id: `Main office (EU)` → `main-office-eu`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || 'portal';
}

/** A slug of `name` not in `taken`: `main`, `main-2`, `main-3` … */
export function uniqueId(name: string, taken: ReadonlySet<string>): string {
  const base = slugify(name);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
