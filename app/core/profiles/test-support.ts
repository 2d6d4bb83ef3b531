// Shared by the profile, keychain and CLI tests: throw-away data folders, unique profile ids, keychain clean-up
// against the REAL keychain, and a byte-wise search of a folder for a secret.
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeytarKeychain } from '../keychain/keychain.ts';
import { newKeychainAccount } from './schema.ts';

export const keychain = new KeytarKeychain({ timeoutMs: 15_000 });

/** A fresh data folder, and the profile ids a test used so their keychain entries can be removed afterwards. */
export class TestHome {
  readonly ids = new Set<string>();
  private constructor(readonly root: string) {}

  static async create(): Promise<TestHome> {
    return new TestHome(await mkdtemp(path.join(os.tmpdir(), 'openlines-test-')));
  }

  /** A profile id no other test (or earlier run) uses; its keychain entry is deleted in cleanup(). */
  id(prefix = 't'): string {
    const id = `${prefix}-${randomBytes(5).toString('hex')}`;
    this.ids.add(id);
    return id;
  }

  /** A keychain account for profile `id`, as the store would make one; deleted in cleanup(). */
  account(id: string): string {
    const account = newKeychainAccount(id);
    this.ids.add(account);
    return account;
  }

  /** Registers an id derived elsewhere (e.g. from a name) for keychain clean-up. */
  track(id: string): string {
    this.ids.add(id);
    return id;
  }

  async cleanup(): Promise<void> {
    const accounts = new Set([...this.ids, ...(await keychainAccountsUnder(this.root))]);
    for (const account of accounts) await keychain.delete(account).catch(() => false);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The keychain account of every profile in every profiles.json under `folder` (tests nest data folders). */
export async function keychainAccountsUnder(folder: string): Promise<string[]> {
  const accounts: string[] = [];
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || entry.name !== 'profiles.json') continue;
    try {
      const file = JSON.parse(await readFile(path.join(entry.parentPath, entry.name), 'utf8'));
      for (const profile of file.profiles ?? []) if (profile.keychainAccount) accounts.push(profile.keychainAccount);
    } catch {
      // A test's deliberately damaged file names no account.
    }
  }
  return accounts;
}

/** The keychain account the profile `id` in data folder `home` uses. */
export async function keychainAccountOf(home: string, id: string): Promise<string> {
  const file = JSON.parse(await readFile(path.join(home, 'profiles.json'), 'utf8'));
  const account = file.profiles.find((profile: { id: string }) => profile.id === id)?.keychainAccount;
  if (!account) throw new Error(`profile ${id} in ${home} has no keychain account`);
  return account;
}

/** A webhook code that cannot collide with anything else on disk. */
export function secretCode(): string {
  return `sEcReT${randomBytes(10).toString('hex')}`;
}

/** Every file under `folder` whose bytes contain `needle`. */
export async function filesContaining(folder: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const wanted = Buffer.from(needle, 'utf8');
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(wanted)) hits.push(file);
  }
  return hits;
}

/** Every file under `folder`, relative to it. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath, e.name)));
}

/** Counts client connections opened while watching (node:http, node:net and fetch all report here). */
export function watchConnections(): { count(): number; stop(): void } {
  let count = 0;
  const seen = () => {
    count++;
  };
  const names = ['net.client.socket', 'undici:client:beforeConnect'];
  for (const name of names) diagnostics.subscribe(name, seen);
  return {
    count: () => count,
    stop: () => {
      for (const name of names) diagnostics.unsubscribe(name, seen);
    },
  };
}
