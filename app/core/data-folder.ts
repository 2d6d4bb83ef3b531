// The data folder every part of the console shares (profiles, caches, bulk-run journals), and the two file
// primitives that keep it trustworthy: an atomic write and a "move the corrupt file aside" that never loses data.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Electron's `app.getPath('userData')` ends in the package's productName; the CLI must land in the same place. */
export const PRODUCT_NAME = 'Open Lines Console';

export const PROFILES_FILE = 'profiles.json';
export const PROVISIONING_FILE = 'portals.json';

export interface DataFolderEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/** `OPENLINES_HOME` when set, else the platform's user-data folder for the desktop app. */
export function dataFolder(options: DataFolderEnvironment = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? os.homedir();
  const explicit = env.OPENLINES_HOME?.trim();
  if (explicit) return path.resolve(explicit);
  // Mirrors Electron's appData per platform.
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim() || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, PRODUCT_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  const config = env.XDG_CONFIG_HOME?.trim() || path.posix.join(home, '.config');
  return path.posix.join(config, PRODUCT_NAME);
}

/** Names of the parts of a data folder; nothing is created until something is written. */
export interface DataPaths {
  root: string;
  profilesFile: string;
  /** IT's provisioning file, imported on first start. */
  provisioningFile: string;
  cacheRoot: string;
  runsDir: string;
  cacheDir(profileId: string): string;
}

export function dataPaths(root: string = dataFolder()): DataPaths {
  const cacheRoot = path.join(root, 'cache');
  return {
    root,
    profilesFile: path.join(root, PROFILES_FILE),
    provisioningFile: path.join(root, PROVISIONING_FILE),
    cacheRoot,
    runsDir: path.join(root, 'runs'),
    cacheDir(profileId: string) {
      // Profile ids are slugs; refuse anything that could climb out of cache/.
      if (!/^[a-z0-9][a-z0-9-]*$/.test(profileId)) throw new Error(`Not a valid profile id: "${profileId}".`);
      return path.join(cacheRoot, profileId);
    },
  };
}

/** Creates a folder (and its parents) readable by this user only. */
export async function ensureFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
}

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o600: the data folder holds no secret, but it is private). */
  mode?: number;
}

/**
 * Replaces `file` so that a reader (or a crash) sees either the old content or the new, never a mix: a temporary
 * file in the same folder is written and fsynced, renamed over the target, and the folder is fsynced so the rename
 * itself survives a power cut.
 */
export async function atomicWriteFile(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const folder = path.dirname(file);
  await ensureFolder(folder);
  const temp = path.join(folder, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    temp,
    fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY,
    options.mode ?? 0o600,
  );
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncFolder(folder);
}

// Windows refuses a rename while another process (an antivirus, a reader) briefly holds the target open.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/** Makes a folder's entries (files created, renamed or removed in it) durable. */
export async function fsyncFolder(folder: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(folder, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What happened to a file that could not be used: the UI and CLI show it as is. */
export interface CorruptFileReport {
  /** The file that was found unusable. */
  file: string;
  /** Where its content now sits, untouched. */
  movedTo: string;
  /** Why it was unusable, in words (never contains the file's content). */
  reason: string;
  /** ISO time of the move. */
  at: string;
}

/** `2026-05-01T12-30-00-000Z`: sortable, and legal in a Windows file name. */
export function fileTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * Moves an unusable file to `name.corrupt-<timestamp>` beside it, content untouched, so that a fresh file can be
 * written without destroying what was there. Never overwrites an earlier corrupt copy.
 */
export async function moveAside(file: string, reason: string, now: Date = new Date()): Promise<CorruptFileReport> {
  const base = `${file}.corrupt-${fileTimestamp(now)}`;
  let target = base;
  for (let n = 2; await exists(target); n++) target = `${base}-${n}`;
  await rename(file, target);
  await fsyncFolder(path.dirname(file));
  return { file, movedTo: target, reason, at: now.toISOString() };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
