// Portal profiles in <data folder>/profiles.json, shared by the desktop app, the browser host and the CLI. Every
// operation here is offline: nothing touches the network. Secrets go to the keychain only (ProfileSecrets).
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm } from 'node:fs/promises';
import {
  atomicWriteFile,
  type CorruptFileReport,
  type DataPaths,
  dataFolder,
  dataPaths,
  fileTimestamp,
  moveAside,
} from '../data-folder.ts';
import { KeychainUnavailableError } from '../keychain/keychain.ts';
import { type ProfileSecret, ProfileSecrets } from '../keychain/profile-secrets.ts';
import { parseWebhookUrl } from './address.ts';
import { ProfileError, ProfileValidationError } from './errors.ts';
import { detectVersion, MigrationError, migrate } from './migrations.ts';
import { importEntries, type ProvisioningReport, parseProvisioningText } from './provisioning.ts';
import {
  type DefaultFilters,
  emptyProfilesFile,
  fieldProblems,
  newKeychainAccount,
  PROFILES_SCHEMA_VERSION,
  type Profile,
  type ProfilePlan,
  type ProfilesFile,
  profileSchema,
  profilesFileSchema,
  uniqueId,
} from './schema.ts';

/** Something the user should be told after the profiles file was read. */
export type StoreNotice =
  | { kind: 'corrupt-file'; report: CorruptFileReport; message: string }
  | { kind: 'migrated'; fromVersion: number; backup: string; message: string }
  | { kind: 'provisioned'; report: ProvisioningReport; message: string };

/** Whether the keychain holds the profile's secret; `unknown` when no keychain answered. */
export type SecretState = 'stored' | 'missing' | 'unknown';

export interface ProfileListing {
  profile: Profile;
  isDefault: boolean;
  secret: SecretState;
}

/** A new profile as the user describes it; the id is derived from the name unless given. */
export interface ProfileDraft {
  id?: string;
  name: string;
  /** `https://host`, or a bare host. */
  portal: string;
  auth:
    | { kind: 'webhook'; userId: number }
    | { kind: 'oauth'; clientId: string; clientEndpoint?: string; tokenUrl?: string };
  plan?: ProfilePlan;
  caCertificatePem?: string;
  defaultFilters?: Partial<DefaultFilters>;
}

/** Changes to a profile; `null` removes an optional field. The id never changes (keychain account, cache folder). */
export interface ProfilePatch {
  name?: string;
  portal?: string;
  auth?: ProfileDraft['auth'];
  plan?: ProfilePlan;
  caCertificatePem?: string | null;
  defaultFilters?: Partial<DefaultFilters>;
}

export interface EditReport {
  profile: Profile;
  /** The stored secret belonged to the old address or auth kind and was removed: enter it again. */
  secretCleared: boolean;
}

export interface RemovalReport {
  profile: Profile;
  /** `unavailable`: removal was forced while no keychain answered; the entry may remain. */
  secretRemoved: boolean | 'unavailable';
  cacheRemoved: boolean;
  /** The default after the removal. */
  defaultProfileId: string | null;
}

export interface ExportReport {
  file: string;
  profiles: string[];
}

export interface ProfileStoreOptions {
  /** Data folder; `OPENLINES_HOME` or the platform's user-data folder by default. */
  home?: string;
  secrets?: ProfileSecrets;
  now?: () => Date;
}

/** A file written by export: the same shape import reads. */
export const EXPORT_FORMAT = 'openlines-profiles';

export class ProfileStore {
  readonly paths: DataPaths;
  readonly secrets: ProfileSecrets;
  private readonly now: () => Date;
  private notices: StoreNotice[] = [];
  private legacyAdopted = false;
  // Serialises this process's read-modify-write cycles (the desktop app may handle several IPC calls at once).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ProfileStoreOptions = {}) {
    this.paths = dataPaths(options.home ?? dataFolder());
    this.secrets = options.secrets ?? new ProfileSecrets();
    this.now = options.now ?? (() => new Date());
  }

  /** Notices gathered since the last call (corrupt file moved aside, migration, first-start import). */
  drainNotices(): StoreNotice[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  /** Reads the profiles file: migrates it, moves a corrupt one aside, imports portals.json on first start. */
  load(): Promise<ProfilesFile> {
    return this.exclusive(() => this.read());
  }

  async list(): Promise<ProfileListing[]> {
    const file = await this.load();
    let keychainAnswers = true;
    const listings: ProfileListing[] = [];
    for (const profile of file.profiles) {
      let secret: SecretState = 'unknown';
      if (keychainAnswers) {
        try {
          secret = (await this.secrets.has(profile)) ? 'stored' : 'missing';
        } catch (error) {
          if (!(error instanceof KeychainUnavailableError)) throw error;
          keychainAnswers = false;
        }
      }
      listings.push({ profile, isDefault: file.defaultProfileId === profile.id, secret });
    }
    return listings;
  }

  /** A profile by id or display name (case-insensitive), or null. */
  async find(nameOrId: string): Promise<Profile | null> {
    return findIn(await this.load(), nameOrId);
  }

  async get(nameOrId: string): Promise<Profile> {
    return mustFind(await this.load(), nameOrId);
  }

  async defaultProfile(): Promise<Profile | null> {
    const file = await this.load();
    return file.profiles.find((p) => p.id === file.defaultProfileId) ?? null;
  }

  /**
   * Adds a profile, offline. With a secret, the secret is saved to the keychain first: when no keychain answers,
   * nothing is saved at all. Without one, the profile is saved and asks for its secret on first use.
   */
  add(draft: ProfileDraft, secret?: ProfileSecret): Promise<Profile> {
    return this.exclusive(async () => {
      const file = await this.read();
      const taken = new Set(file.profiles.map((p) => p.id));
      const id = draft.id ?? uniqueId(draft.name, taken);
      const candidate = {
        ...draft,
        id,
        defaultFilters: { lineIds: [], statuses: [], operatorIds: [], ...draft.defaultFilters },
        // A fresh account: an entry left behind by an earlier profile of this id is never inherited.
        keychainAccount: newKeychainAccount(id),
      };
      const profile = parseProfile(candidate);
      if (taken.has(profile.id)) {
        throw new ProfileError('PROFILE_EXISTS', `A profile with the id "${profile.id}" already exists.`);
      }
      assertNameFree(file, profile.name, null);
      if (secret) {
        assertSecretFits(profile, secret);
        await this.secrets.save(profile, secret);
      }
      const next: ProfilesFile = {
        ...file,
        profiles: [...file.profiles, profile],
        defaultProfileId: file.defaultProfileId ?? profile.id,
      };
      try {
        await this.write(next);
      } catch (error) {
        if (secret) await this.secrets.delete(profile).catch(() => false);
        throw error;
      }
      return profile;
    });
  }

  /** Adds a webhook profile from the whole webhook URL: host and user id go to the profile, the code to the keychain. */
  addFromWebhookUrl(input: {
    name: string;
    webhookUrl: string;
    id?: string;
    plan?: ProfilePlan;
    caCertificatePem?: string;
    defaultFilters?: Partial<DefaultFilters>;
  }): Promise<Profile> {
    const parts = parseWebhookUrl(input.webhookUrl);
    if (!parts.ok) throw new ProfileValidationError([{ field: 'webhookUrl', reason: parts.reason }]);
    const { webhookUrl: _secretUrl, ...rest } = input;
    return this.add(
      { ...rest, portal: parts.value.portal, auth: { kind: 'webhook', userId: parts.value.userId } },
      { kind: 'webhook', code: parts.value.code },
    );
  }

  /**
   * Changes a profile, offline. A new address, auth kind or CA certificate removes the old secret: it belonged to the
   * old portal (and the keychain would refuse it to the new one anyway).
   */
  edit(nameOrId: string, patch: ProfilePatch): Promise<EditReport> {
    return this.exclusive(async () => {
      const file = await this.read();
      const current = mustFind(file, nameOrId);
      const { caCertificatePem, defaultFilters, ...fields } = patch;
      const merged: Record<string, unknown> = {
        ...current,
        ...stripUndefined(fields),
        defaultFilters: { ...current.defaultFilters, ...stripUndefined(defaultFilters ?? {}) },
      };
      if (caCertificatePem === null) delete merged.caCertificatePem;
      else if (caCertificatePem !== undefined) merged.caCertificatePem = caCertificatePem;
      const profile = parseProfile(merged);
      assertNameFree(file, profile.name, profile.id);
      const secretCleared = secretBindingChanged(current, profile) && (await this.secrets.delete(current));
      await this.write({ ...file, profiles: file.profiles.map((p) => (p.id === profile.id ? profile : p)) });
      return { profile, secretCleared };
    });
  }

  async rename(nameOrId: string, name: string): Promise<Profile> {
    return (await this.edit(nameOrId, { name })).profile;
  }

  setDefault(nameOrId: string): Promise<Profile> {
    return this.exclusive(async () => {
      const file = await this.read();
      const profile = mustFind(file, nameOrId);
      if (file.defaultProfileId !== profile.id) await this.write({ ...file, defaultProfileId: profile.id });
      return profile;
    });
  }

  /** Stores (or replaces) a profile's secret in the keychain. */
  async setSecret(nameOrId: string, secret: ProfileSecret): Promise<Profile> {
    const profile = await this.get(nameOrId);
    assertSecretFits(profile, secret);
    await this.secrets.save(profile, secret);
    return profile;
  }

  /** Stores a webhook profile's secret from its whole URL, which must name the profile's portal and user. */
  async setWebhookUrl(nameOrId: string, webhookUrl: string): Promise<Profile> {
    const profile = await this.get(nameOrId);
    return this.setSecret(profile.id, webhookSecretFor(profile, webhookUrl));
  }

  /**
   * Removes a profile, its keychain entry and its cache folder. When no keychain answers, nothing is removed unless
   * `force` is set (the secret may then stay in the keychain; the report says so).
   */
  remove(nameOrId: string, options: { force?: boolean } = {}): Promise<RemovalReport> {
    return this.exclusive(async () => {
      const file = await this.read();
      const profile = mustFind(file, nameOrId);
      let secretRemoved: RemovalReport['secretRemoved'];
      try {
        secretRemoved = await this.secrets.delete(profile);
      } catch (error) {
        if (!(error instanceof KeychainUnavailableError) || !options.force) throw error;
        secretRemoved = 'unavailable';
      }
      const profiles = file.profiles.filter((p) => p.id !== profile.id);
      const defaultProfileId = file.defaultProfileId === profile.id ? (profiles[0]?.id ?? null) : file.defaultProfileId;
      await this.write({ ...file, profiles, defaultProfileId });
      const cache = this.paths.cacheDir(profile.id);
      const cacheRemoved = await rm(cache, { recursive: true }).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      return { profile, secretRemoved, cacheRemoved, defaultProfileId };
    });
  }

  /** Imports IT's provisioning file on request; good entries are added, each bad one is explained. */
  async importProvisioningFile(file: string): Promise<ProvisioningReport> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ProfileError(
        'PROVISIONING_FILE_INVALID',
        `The provisioning file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    return this.importProvisioningText(text, file);
  }

  /** The same, from text (the desktop's menu item sends the file's text). */
  importProvisioningText(text: string, source: string): Promise<ProvisioningReport> {
    return this.exclusive(async () => {
      const file = await this.read();
      const entries = parseProvisioningText(text, source);
      const { next, report } = await this.applyImport(file, entries, source, text);
      await this.write(next);
      return report;
    });
  }

  /** Writes profiles (never secrets) in the format import reads. */
  async exportProfiles(target: string, nameOrIds?: readonly string[]): Promise<ExportReport> {
    const file = await this.load();
    const chosen = nameOrIds?.length ? nameOrIds.map((n) => mustFind(file, n)) : file.profiles;
    // The keychain account stays with this data folder: an import elsewhere makes its own.
    const profiles = chosen.map(({ provisionedAt: _when, keychainAccount: _account, ...profile }) => profile);
    const body = { format: EXPORT_FORMAT, schemaVersion: PROFILES_SCHEMA_VERSION, profiles };
    await atomicWriteFile(target, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o644 });
    return { file: target, profiles: profiles.map((p) => p.id) };
  }

  private async applyImport(
    file: ProfilesFile,
    entries: unknown[],
    source: string,
    text: string,
  ): Promise<{ next: ProfilesFile; report: ProvisioningReport }> {
    const at = this.now().toISOString();
    const outcome = importEntries(file.profiles, entries, at);
    const report: ProvisioningReport = {
      source,
      imported: [],
      updated: [],
      rejected: outcome.rejected,
      needsSecret: [],
      secretDropped: [],
    };
    // A fresh profile has a fresh keychain account, so it always asks for its secret.
    for (const profile of outcome.added) {
      report.imported.push(profile.id);
      report.needsSecret.push(profile.id);
    }
    for (const profile of outcome.updated) {
      report.updated.push(profile.id);
      const current = mustFind(file, profile.id);
      if (secretBindingChanged(current, profile)) {
        // The secret was typed for the old portal or certificate; the keychain would refuse it to the new one even
        // if this delete cannot happen now.
        await this.secrets.delete(current).catch((error: unknown) => {
          if (!(error instanceof KeychainUnavailableError)) throw error;
        });
        report.secretDropped.push(profile.id);
        report.needsSecret.push(profile.id);
      } else if ((await this.secretState(profile)) !== 'stored') report.needsSecret.push(profile.id);
    }
    const updatedById = new Map(outcome.updated.map((p) => [p.id, p]));
    const profiles = [...file.profiles.map((p) => updatedById.get(p.id) ?? p), ...outcome.added];
    const next: ProfilesFile = {
      ...file,
      profiles,
      defaultProfileId: file.defaultProfileId ?? outcome.defaultId ?? profiles[0]?.id ?? null,
      provisioning: [
        ...file.provisioning,
        {
          source,
          sha256: sha256(text),
          at,
          imported: [...report.imported, ...report.updated],
          rejected: new Set(report.rejected.map((r) => r.index)).size,
        },
      ],
    };
    return { next, report };
  }

  async secretState(profile: Profile): Promise<SecretState> {
    try {
      return (await this.secrets.has(profile)) ? 'stored' : 'missing';
    } catch (error) {
      if (error instanceof KeychainUnavailableError) return 'unknown';
      throw error;
    }
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(file: ProfilesFile): Promise<void> {
    const checked = profilesFileSchema.parse(file);
    await atomicWriteFile(this.paths.profilesFile, `${JSON.stringify(checked, null, 2)}\n`);
  }

  private async read(): Promise<ProfilesFile> {
    let text: string;
    try {
      text = await readFile(this.paths.profilesFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.firstStart();
      return this.setAside(`cannot be read (${code ?? 'unknown error'})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.setAside('is not valid JSON (damaged or half-written)');
    }
    const version = detectVersion(raw);
    if (version === null) return this.setAside('is not a profiles file (no schemaVersion)');
    if (version > PROFILES_SCHEMA_VERSION) {
      throw new ProfileError(
        'PROFILES_FILE_TOO_NEW',
        `${this.paths.profilesFile} was written by a newer Open Lines Console (schema ${version}); ` +
          'update the console. The file was left untouched.',
      );
    }
    let migrated = raw;
    if (version < PROFILES_SCHEMA_VERSION) {
      try {
        migrated = migrate(raw, version);
      } catch (error) {
        if (error instanceof MigrationError) return this.setAside(`could not be migrated: ${error.message}`);
        throw error;
      }
    }
    const parsed = profilesFileSchema.safeParse(migrated);
    if (!parsed.success) {
      const problems = fieldProblems(parsed.error)
        .slice(0, 5)
        .map((p) => `${p.field} ${p.reason}`);
      return this.setAside(`does not match the profile schema (${problems.join('; ')})`);
    }
    if (version < PROFILES_SCHEMA_VERSION) {
      // Keep the old file byte for byte, then write the migrated one in its place.
      const backup = `${this.paths.profilesFile}.v${version}-${fileTimestamp(this.now())}.bak`;
      await copyFile(this.paths.profilesFile, backup);
      await this.write(parsed.data);
      this.notices.push({
        kind: 'migrated',
        fromVersion: version,
        backup,
        message: `Profiles were upgraded from schema version ${version}; the old file was kept as ${backup}.`,
      });
    }
    return this.adoptLegacySecrets(parsed.data);
  }

  // Profiles written before keychain accounts existed read their secret under the bare id, which every data folder
  // shares. Once per process each gets its own account: the entry is copied there (bound to the profile's portal),
  // the file names the account, and only then is the old entry deleted, so a crash in between loses nothing.
  private async adoptLegacySecrets(file: ProfilesFile): Promise<ProfilesFile> {
    if (this.legacyAdopted || file.profiles.every((p) => p.keychainAccount)) return file;
    this.legacyAdopted = true;
    const adopted: Profile[] = [];
    try {
      for (const profile of file.profiles) {
        if (profile.keychainAccount) continue;
        const withAccount = { ...profile, keychainAccount: newKeychainAccount(profile.id) };
        await this.secrets.copyLegacy(withAccount);
        adopted.push(withAccount);
      }
    } catch (error) {
      // No keychain now: the rest keep the legacy account until a process finds one.
      if (!(error instanceof KeychainUnavailableError)) throw error;
    }
    if (!adopted.length) return file;
    const byId = new Map(adopted.map((p) => [p.id, p]));
    const next = { ...file, profiles: file.profiles.map((p) => byId.get(p.id) ?? p) };
    await this.write(next);
    for (const profile of adopted) await this.secrets.deleteLegacy(profile).catch(() => false);
    return next;
  }

  private async setAside(reason: string): Promise<ProfilesFile> {
    let report: CorruptFileReport;
    try {
      report = await moveAside(this.paths.profilesFile, reason, this.now());
    } catch (error) {
      // It can be neither used nor moved: refuse to go on rather than overwrite it.
      throw new ProfileError(
        'PROFILES_FILE_UNREADABLE',
        `${this.paths.profilesFile} ${reason} and could not be moved aside ` +
          `(${(error as NodeJS.ErrnoException).code ?? 'error'}); fix or move it, then try again.`,
      );
    }
    this.notices.push({
      kind: 'corrupt-file',
      report,
      message: `The profiles file ${reason}. It was kept as ${report.movedTo}; starting with no profiles.`,
    });
    return emptyProfilesFile();
  }

  // With no profiles file yet, IT's portals.json in the data folder is imported once.
  private async firstStart(): Promise<ProfilesFile> {
    let text: string;
    try {
      text = await readFile(this.paths.provisioningFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyProfilesFile();
      throw error;
    }
    const source = this.paths.provisioningFile;
    let entries: unknown[];
    let report: ProvisioningReport;
    let next: ProfilesFile;
    try {
      entries = parseProvisioningText(text, source);
      ({ next, report } = await this.applyImport(emptyProfilesFile(), entries, source, text));
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      // The whole file is unusable: record the attempt so it is not retried on every start, and say why.
      report = {
        source,
        imported: [],
        updated: [],
        rejected: [{ index: -1, field: '(file)', reason: error.message }],
        needsSecret: [],
        secretDropped: [],
      };
      next = {
        ...emptyProfilesFile(),
        provisioning: [{ source, sha256: sha256(text), at: this.now().toISOString(), imported: [], rejected: 1 }],
      };
    }
    await this.write(next);
    this.notices.push({ kind: 'provisioned', report, message: provisioningSummary(report) });
    return next;
  }
}

/** One line for the user: "Imported 3 profiles from …; 1 entry was rejected." */
export function provisioningSummary(report: ProvisioningReport): string {
  const parts = [`Imported ${report.imported.length} profile(s) from ${report.source}`];
  if (report.updated.length) parts.push(`updated ${report.updated.length}`);
  const rejected = new Set(report.rejected.map((r) => r.index)).size;
  if (rejected) parts.push(`rejected ${rejected} entr${rejected === 1 ? 'y' : 'ies'}`);
  return `${parts.join('; ')}.`;
}

function findIn(file: ProfilesFile, nameOrId: string): Profile | null {
  const wanted = nameOrId.trim().toLowerCase();
  return (
    file.profiles.find((p) => p.id === wanted) ?? file.profiles.find((p) => p.name.toLowerCase() === wanted) ?? null
  );
}

function mustFind(file: ProfilesFile, nameOrId: string): Profile {
  const profile = findIn(file, nameOrId);
  if (profile) return profile;
  const known = file.profiles.map((p) => p.id).join(', ') || 'none yet';
  throw new ProfileError('PROFILE_NOT_FOUND', `No profile is called "${nameOrId}" (profiles: ${known}).`);
}

function parseProfile(candidate: unknown): Profile {
  const parsed = profileSchema.safeParse(candidate);
  if (!parsed.success) throw new ProfileValidationError(fieldProblems(parsed.error));
  return parsed.data;
}

function assertNameFree(file: ProfilesFile, name: string, ownId: string | null): void {
  const clash = file.profiles.find((p) => p.id !== ownId && p.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ProfileError('PROFILE_EXISTS', `Another profile ("${clash.id}") is already called "${name}".`);
}

function assertSecretFits(profile: Profile, secret: ProfileSecret): void {
  if (profile.auth.kind !== secret.kind) {
    throw new ProfileValidationError([
      { field: 'secret', reason: `is for ${secret.kind}, but the profile uses ${profile.auth.kind}` },
    ]);
  }
}

/** The webhook secret of `webhookUrl`, after checking it names this profile's portal and user (or a bare code). */
export function webhookSecretFor(profile: Profile, webhookUrlOrCode: string): ProfileSecret {
  if (profile.auth.kind !== 'webhook') {
    throw new ProfileValidationError([{ field: 'secret', reason: 'is a webhook, but the profile uses OAuth' }]);
  }
  const text = webhookUrlOrCode.trim();
  if (/^[A-Za-z0-9_-]{4,}$/.test(text)) return { kind: 'webhook', code: text };
  const parts = parseWebhookUrl(text);
  if (!parts.ok) throw new ProfileValidationError([{ field: 'webhookUrl', reason: parts.reason }]);
  if (parts.value.portal !== profile.portal || parts.value.userId !== profile.auth.userId) {
    throw new ProfileValidationError([
      {
        field: 'webhookUrl',
        reason: `is for another portal or user than the profile (${new URL(profile.portal).host}, user ${profile.auth.userId}); edit the profile first`,
      },
    ]);
  }
  return { kind: 'webhook', code: parts.value.code };
}

// Whether a stored secret stops belonging to the profile: another portal, user, credentials kind or CA certificate.
function secretBindingChanged(before: Profile, after: Profile): boolean {
  if (before.caCertificatePem !== after.caCertificatePem) return true;
  if (before.portal !== after.portal || before.auth.kind !== after.auth.kind) return true;
  if (before.auth.kind === 'webhook' && after.auth.kind === 'webhook') return before.auth.userId !== after.auth.userId;
  if (before.auth.kind === 'oauth' && after.auth.kind === 'oauth') {
    return (
      before.auth.clientId !== after.auth.clientId ||
      before.auth.clientEndpoint !== after.auth.clientEndpoint ||
      before.auth.tokenUrl !== after.auth.tokenUrl
    );
  }
  return true;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
