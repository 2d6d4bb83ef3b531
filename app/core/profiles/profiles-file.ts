// Reading profiles.json whatever state it is in: migrated from an older schema (the old file kept), moved aside when
// damaged (never overwritten), refused when a newer console wrote it. What happened is told through notices.
import { copyFile, readFile } from 'node:fs/promises';
import { atomicWriteFile, type CorruptFileReport, fileTimestamp, moveAside } from '../data-folder.ts';
import { ProfileError } from './errors.ts';
import { detectVersion, MigrationError, migrate } from './migrations.ts';
import type { ProvisioningReport } from './provisioning.ts';
import {
  emptyProfilesFile,
  fieldProblems,
  PROFILES_SCHEMA_VERSION,
  type ProfilesFile,
  profilesFileSchema,
} from './schema.ts';

/** Something the user should be told after the profiles file was read. */
export type StoreNotice =
  | { kind: 'corrupt-file'; report: CorruptFileReport; message: string }
  | { kind: 'migrated'; fromVersion: number; backup: string; message: string }
  | { kind: 'provisioned'; report: ProvisioningReport; message: string };

export interface ProfilesFileAccess {
  path: string;
  now: () => Date;
  notify: (notice: StoreNotice) => void;
}

export async function writeProfilesFile(path: string, file: ProfilesFile): Promise<void> {
  const checked = profilesFileSchema.parse(file);
  await atomicWriteFile(path, `${JSON.stringify(checked, null, 2)}\n`);
}

/** The profiles in the file, or null when there is no file yet (first start). */
export async function readProfilesFile(access: ProfilesFileAccess): Promise<ProfilesFile | null> {
  const { path } = access;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    return setAside(access, `cannot be read (${code ?? 'unknown error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return setAside(access, 'is not valid JSON (damaged or half-written)');
  }
  const version = detectVersion(raw);
  if (version === null) return setAside(access, 'is not a profiles file (no schemaVersion)');
  if (version > PROFILES_SCHEMA_VERSION) {
    throw new ProfileError(
      'PROFILES_FILE_TOO_NEW',
      `${path} was written by a newer Open Lines Console (schema ${version}); ` +
        'update the console. The file was left untouched.',
    );
  }
  let migrated = raw;
  if (version < PROFILES_SCHEMA_VERSION) {
    try {
      migrated = migrate(raw, version);
    } catch (error) {
      if (error instanceof MigrationError) return setAside(access, `could not be migrated: ${error.message}`);
      throw error;
    }
  }
  const parsed = profilesFileSchema.safeParse(migrated);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error)
      .slice(0, 5)
      .map((p) => `${p.field} ${p.reason}`);
    return setAside(access, `does not match the profile schema (${problems.join('; ')})`);
  }
  if (version < PROFILES_SCHEMA_VERSION) {
    // Keep the old file byte for byte, then write the migrated one in its place.
    const backup = `${path}.v${version}-${fileTimestamp(access.now())}.bak`;
    await copyFile(path, backup);
    await writeProfilesFile(path, parsed.data);
    access.notify({
      kind: 'migrated',
      fromVersion: version,
      backup,
      message: `Profiles were upgraded from schema version ${version}; the old file was kept as ${backup}.`,
    });
  }
  return parsed.data;
}

async function setAside(access: ProfilesFileAccess, reason: string): Promise<ProfilesFile> {
  let report: CorruptFileReport;
  try {
    report = await moveAside(access.path, reason, access.now());
  } catch (error) {
    // It can be neither used nor moved: refuse to go on rather than overwrite it.
    throw new ProfileError(
      'PROFILES_FILE_UNREADABLE',
      `${access.path} ${reason} and could not be moved aside ` +
        `(${(error as NodeJS.ErrnoException).code ?? 'error'}); fix or move it, then try again.`,
    );
  }
  access.notify({
    kind: 'corrupt-file',
    report,
    message: `The profiles file ${reason}. It was kept as ${report.movedTo}; starting with no profiles.`,
  });
  return emptyProfilesFile();
}
