// IT's provisioning file (portals.json): profiles without secrets, as an array or `{ "profiles": [...] }`. Each entry
// is checked on its own: good ones are imported, every bad one is explained by index, field and reason.
import { z } from 'zod';
import { ProfileError } from './errors.ts';
import { fieldProblems, newKeychainAccount, type Profile, provisioningEntrySchema, uniqueId } from './schema.ts';

export interface RejectedEntry {
  /** 0-based position in the file's list; -1 for the file as a whole. */
  index: number;
  /** The entry's name or id when it has one, to help find it. */
  entry?: string;
  field: string;
  reason: string;
}

export interface ProvisioningReport {
  source: string;
  /** Ids of profiles added. */
  imported: string[];
  /** Ids of existing profiles (same id or name) whose settings were refreshed. */
  updated: string[];
  /**
   * Updated profiles whose portal address, credentials kind or CA certificate changed: their stored secret was
   * dropped (it belonged to the old portal) and they ask for it again.
   */
  secretDropped: string[];
  /** One row per problem; an entry with two problems has two rows. */
  rejected: RejectedEntry[];
  /** Profiles that ask for their secret on first use. */
  needsSecret: string[];
}

const entrySchema = provisioningEntrySchema.extend({
  /** IT may mark the profile to open by default. */
  default: z.boolean().optional(),
});

// Key names that mean someone put a secret in the file; the value is never read or repeated.
const SECRET_KEYS = new Set([
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'token',
  'tokens',
  'password',
  'webhook',
  'webhookurl',
  'webhookcode',
  'code',
]);

function secretKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const found: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''))) found.push(path);
    else found.push(...secretKeys(inner, path));
  }
  return found;
}

/** The list of entries in a provisioning (or export) file; throws when the file as a whole is unusable. */
export function parseProvisioningText(text: string, source: string): unknown[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ProfileError('PROVISIONING_FILE_INVALID', `${source} is not valid JSON.`);
  }
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'object' && raw !== null && Array.isArray((raw as { profiles?: unknown }).profiles)) {
    return (raw as { profiles: unknown[] }).profiles;
  }
  throw new ProfileError(
    'PROVISIONING_FILE_INVALID',
    `${source} must hold a list of profiles: [ … ] or { "profiles": [ … ] }.`,
  );
}

function label(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { name, id } = entry as { name?: unknown; id?: unknown };
  if (typeof name === 'string' && name.trim()) return name.trim().slice(0, 120);
  if (typeof id === 'string' && id.trim()) return id.trim().slice(0, 64);
  return undefined;
}

export interface ImportOutcome {
  added: Profile[];
  updated: Profile[];
  rejected: RejectedEntry[];
  /** The id of the entry IT marked `"default": true`, if any. */
  defaultId: string | undefined;
}

/** Validates every entry against the existing profiles and each other; pure, no I/O. */
export function importEntries(existing: readonly Profile[], entries: readonly unknown[], at: string): ImportOutcome {
  const added: Profile[] = [];
  const updated: Profile[] = [];
  const rejected: RejectedEntry[] = [];
  let defaultId: string | undefined;
  const takenIds = new Set(existing.map((p) => p.id));
  // Names and ids claimed by earlier entries of this file.
  const claimedIds = new Map<string, number>();
  const claimedNames = new Map<string, number>();

  entries.forEach((entry, index) => {
    const name = label(entry);
    const reject = (field: string, reason: string) =>
      rejected.push({ index, ...(name ? { entry: name } : {}), field, reason });
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      reject('(entry)', 'is not a profile object');
      return;
    }
    const secrets = secretKeys(entry);
    if (secrets.length) {
      for (const field of secrets) {
        reject(field, 'is a secret; provisioning files never carry secrets (the supervisor enters it on first use)');
      }
      return;
    }
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const problem of fieldProblems(parsed.error)) reject(problem.field, problem.reason);
      return;
    }
    const { default: isDefault, ...fields } = parsed.data;
    const byName = existing.find((p) => p.name.toLowerCase() === fields.name.toLowerCase());
    const id = fields.id ?? byName?.id ?? uniqueId(fields.name, new Set([...takenIds, ...claimedIds.keys()]));
    const earlierId = claimedIds.get(id);
    if (earlierId !== undefined) {
      reject(fields.id ? 'id' : 'name', `names the same profile as entry ${earlierId}`);
      return;
    }
    const earlierName = claimedNames.get(fields.name.toLowerCase());
    if (earlierName !== undefined) {
      reject('name', `is used by entry ${earlierName} too`);
      return;
    }
    const current = existing.find((p) => p.id === id);
    // An existing profile keeps its keychain account (a legacy one keeps none until the store moves its entry).
    const keychainAccount = current ? current.keychainAccount : newKeychainAccount(id);
    const profile: Profile = { ...fields, id, provisionedAt: at, ...(keychainAccount ? { keychainAccount } : {}) };
    if (byName && byName.id !== id) {
      reject('name', `is already used by profile "${byName.id}"`);
      return;
    }
    claimedIds.set(id, index);
    claimedNames.set(fields.name.toLowerCase(), index);
    if (current) updated.push(profile);
    else added.push(profile);
    if (isDefault) defaultId = id;
  });
  return { added, updated, rejected, defaultId };
}
