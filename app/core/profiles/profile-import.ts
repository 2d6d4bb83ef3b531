// Profiles in and out of the data folder: IT's provisioning file (imported, each bad entry explained, a secret
// dropped where its portal or certificate changed) and the export that import reads back (never a secret).
import { createHash } from 'node:crypto';
import { KeychainUnavailableError } from '../keychain/keychain.ts';
import type { ProfileSecrets } from '../keychain/profile-secrets.ts';
import type { ProfileError } from './errors.ts';
import { mustFind } from './profile-lookup.ts';
import { importEntries, type ProvisioningReport } from './provisioning.ts';
import { emptyProfilesFile, PROFILES_SCHEMA_VERSION, type Profile, type ProfilesFile } from './schema.ts';

/** A file written by export: the same shape import reads. */
export const EXPORT_FORMAT = 'openlines-profiles';

export interface ExportReport {
  file: string;
  profiles: string[];
}

/** What export writes for these profiles. */
export function exportBody(chosen: readonly Profile[]): { format: string; schemaVersion: number; profiles: object[] } {
  // The keychain account stays with this data folder: an import elsewhere makes its own.
  const profiles = chosen.map(({ provisionedAt: _when, keychainAccount: _account, ...profile }) => profile);
  return { format: EXPORT_FORMAT, schemaVersion: PROFILES_SCHEMA_VERSION, profiles };
}

export interface ImportInput {
  file: ProfilesFile;
  entries: unknown[];
  source: string;
  /** The file's text, whose hash is recorded. */
  text: string;
  at: string;
  secrets: ProfileSecrets;
}

/** The profiles file after the import, and what to tell the user. */
export async function applyImport(input: ImportInput): Promise<{ next: ProfilesFile; report: ProvisioningReport }> {
  const { file, source, at, secrets } = input;
  const outcome = importEntries(file.profiles, input.entries, at);
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
      await secrets.delete(current).catch((error: unknown) => {
        if (!(error instanceof KeychainUnavailableError)) throw error;
      });
      report.secretDropped.push(profile.id);
      report.needsSecret.push(profile.id);
    } else if ((await secrets.state(profile)) !== 'stored') report.needsSecret.push(profile.id);
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
        sha256: sha256(input.text),
        at,
        imported: [...report.imported, ...report.updated],
        rejected: new Set(report.rejected.map((r) => r.index)).size,
      },
    ],
  };
  return { next, report };
}

/**
 * A first-start provisioning file that cannot be used at all: the attempt is recorded so it is not retried on every
 * start, and the report says why.
 */
export function unusableProvisioning(
  source: string,
  text: string,
  at: string,
  error: ProfileError,
): { next: ProfilesFile; report: ProvisioningReport } {
  return {
    report: {
      source,
      imported: [],
      updated: [],
      rejected: [{ index: -1, field: '(file)', reason: error.message }],
      needsSecret: [],
      secretDropped: [],
    },
    next: { ...emptyProfilesFile(), provisioning: [{ source, sha256: sha256(text), at, imported: [], rejected: 1 }] },
  };
}

/** One line for the user: "Imported 3 profiles from …; 1 entry was rejected." */
export function provisioningSummary(report: ProvisioningReport): string {
  const parts = [`Imported ${report.imported.length} profile(s) from ${report.source}`];
  if (report.updated.length) parts.push(`updated ${report.updated.length}`);
  const rejected = new Set(report.rejected.map((r) => r.index)).size;
  if (rejected) parts.push(`rejected ${rejected} entr${rejected === 1 ? 'y' : 'ies'}`);
  return `${parts.join('; ')}.`;
}

/** Whether a stored secret stops belonging to the profile: another portal, user, credentials kind or CA certificate. */
export function secretBindingChanged(before: Profile, after: Profile): boolean {
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

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
