// Portal profiles in <data folder>/profiles.json, shared by the desktop app, the browser host and the CLI. Every
// operation here is offline: nothing touches the network. Secrets go to the keychain only (ProfileSecrets).
// (Over 400 lines on purpose: one read-modify-write per user operation under one queue; reading the file, import and
// export, and lookups live beside it in profiles-file.ts, profile-import.ts and profile-lookup.ts.)
import { readFile, rm } from 'node:fs/promises';
import { atomicWriteFile, type DataPaths, dataFolder, dataPaths } from '../data-folder.ts';
import { KeychainUnavailableError } from '../keychain/keychain.ts';
import { type ProfileSecret, ProfileSecrets, type SecretState } from '../keychain/profile-secrets.ts';
import { splitWebhookUrl } from './address.ts';
import { ProfileError, ProfileValidationError } from './errors.ts';
import {
  applyImport,
  type ExportReport,
  exportBody,
  type ImportInput,
  provisioningSummary,
  secretBindingChanged,
  unusableProvisioning,
} from './profile-import.ts';
import { findIn, mustFind } from './profile-lookup.ts';
import { readProfilesFile, type StoreNotice, writeProfilesFile } from './profiles-file.ts';
import { type ProvisioningReport, parseProvisioningText } from './provisioning.ts';
import {
  type DefaultFilters,
  emptyProfilesFile,
  fieldProblems,
  newKeychainAccount,
  type Profile,
  type ProfilePlan,
  type ProfilesFile,
  profileSchema,
  uniqueId,
} from './schema.ts';

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

export interface ProfileStoreOptions {
  /** Data folder; `OPENLINES_HOME` or the platform's user-data folder by default. */
  home?: string;
  secrets?: ProfileSecrets;
  now?: () => Date;
}

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
      // One keychain that does not answer is enough: the others would time out the same way.
      if (keychainAnswers) {
        secret = await this.secrets.state(profile);
        keychainAnswers = secret !== 'unknown';
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
    const parts = splitWebhookUrl(input.webhookUrl);
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
      const { next, report } = await applyImport({ ...this.importInput(source, text), file, entries });
      await this.write(next);
      return report;
    });
  }

  /** Writes profiles (never secrets) in the format import reads. */
  async exportProfiles(target: string, nameOrIds?: readonly string[]): Promise<ExportReport> {
    const file = await this.load();
    const chosen = nameOrIds?.length ? nameOrIds.map((n) => mustFind(file, n)) : file.profiles;
    const body = exportBody(chosen);
    await atomicWriteFile(target, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o644 });
    return { file: target, profiles: chosen.map((p) => p.id) };
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private write(file: ProfilesFile): Promise<void> {
    return writeProfilesFile(this.paths.profilesFile, file);
  }

  private async read(): Promise<ProfilesFile> {
    const file = await readProfilesFile({
      path: this.paths.profilesFile,
      now: this.now,
      notify: (notice) => this.notices.push(notice),
    });
    return file === null ? this.firstStart() : this.adoptLegacySecrets(file);
  }

  private importInput(source: string, text: string): Omit<ImportInput, 'file' | 'entries'> {
    return { source, text, at: this.now().toISOString(), secrets: this.secrets };
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
    let outcome: { next: ProfilesFile; report: ProvisioningReport };
    try {
      const entries = parseProvisioningText(text, source);
      outcome = await applyImport({ ...this.importInput(source, text), file: emptyProfilesFile(), entries });
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      outcome = unusableProvisioning(source, text, this.now().toISOString(), error);
    }
    const { next, report } = outcome;
    await this.write(next);
    this.notices.push({ kind: 'provisioned', report, message: provisioningSummary(report) });
    return next;
  }
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
  const parts = splitWebhookUrl(text);
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
