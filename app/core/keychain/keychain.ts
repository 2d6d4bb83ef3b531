// The OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret Service) behind one small interface
// shared by the desktop app, the CLI and the browser host. There is no plaintext fallback: when no keychain answers,
// every operation throws KeychainUnavailableError and nothing is saved anywhere else.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AppError } from '../app-error.ts';
import { redact } from '../redact.ts';

/** The keychain service every portal secret is filed under; the account is the profile id. */
export const KEYCHAIN_SERVICE = 'openlines-console';

export interface Keychain {
  /** The stored value, or null when there is none. Throws KeychainUnavailableError when locked or unanswering. */
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** True when an entry existed and was deleted; false only when there was none. Throws when locked. */
  delete(account: string): Promise<boolean>;
}

export type KeychainOperation = 'read' | 'save' | 'delete';

/** No keychain answered. The message says what is wrong and how to fix it; `reason` is the platform's own words. */
export class KeychainUnavailableError extends AppError {
  override readonly name = 'KeychainUnavailableError';
  readonly operation: KeychainOperation;
  readonly reason: string;

  constructor(operation: KeychainOperation, reason: string, platform: NodeJS.Platform = process.platform) {
    // Retryable: an unlocked keychain or a started Secret Service answers the same call.
    super({
      code: 'KEYCHAIN_UNAVAILABLE',
      category: 'keychain',
      message: keychainUnavailableMessage(operation, reason, platform),
      retryable: true,
    });
    this.operation = operation;
    this.reason = reason;
  }
}

export function keychainUnavailableMessage(
  operation: KeychainOperation,
  reason: string,
  platform: NodeJS.Platform,
): string {
  const what =
    operation === 'save'
      ? 'The secret was not saved: the OS keychain is not available'
      : operation === 'delete'
        ? 'The secret could not be removed: the OS keychain is not available'
        : 'The secret could not be read: the OS keychain is not available';
  const lead = `${what} (${reason}). Open Lines Console keeps portal secrets only in the keychain, never in a file.`;
  if (platform === 'darwin') {
    return `${lead} Unlock your login keychain in Keychain Access and allow Open Lines Console to use it, then try again.`;
  }
  if (platform === 'win32') {
    return `${lead} Windows Credential Manager did not answer; sign in to a normal Windows session and try again.`;
  }
  return (
    `${lead} On Linux the console needs a running, unlocked Secret Service: install and unlock gnome-keyring ` +
    '(e.g. `apt install gnome-keyring`) or KWallet with its Secret Service enabled, and run the console inside ' +
    'your desktop session (DBUS_SESSION_BUS_ADDRESS must point to it). On a headless machine, start one with ' +
    "`dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; openlines …'`, " +
    'or for automation pass the webhook in the OPENLINES_WEBHOOK_URL environment variable instead.'
  );
}

type Keytar = typeof import('keytar');

export interface KeytarKeychainOptions {
  service?: string;
  /**
   * How long to wait for the keychain before calling it unavailable. Generous by default: a desktop keychain may be
   * showing its unlock prompt to the user.
   */
  timeoutMs?: number;
}

let keytarModule: Keytar | null = null;

function loadKeytar(operation: KeychainOperation): Keytar {
  if (keytarModule) return keytarModule;
  try {
    // keytar is a native CommonJS module; load it lazily so a missing build is reported like a missing keychain.
    keytarModule = createRequire(import.meta.url)('keytar') as Keytar;
    return keytarModule;
  } catch (error) {
    throw new KeychainUnavailableError(operation, `the keytar module could not be loaded: ${reasonOf(error)}`);
  }
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // keytar's messages come from D-Bus or the OS and carry no secret, but mask anything secret-shaped regardless.
  return redact(text.split('\n')[0] ?? '').trim() || 'no reason given';
}

/** The real keychain, through keytar. */
export class KeytarKeychain implements Keychain {
  readonly service: string;
  private readonly timeoutMs: number;

  constructor(options: KeytarKeychainOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get(account: string): Promise<string | null> {
    return this.attempt('read', async (keytar) => {
      const value = await keytar.getPassword(this.service, account);
      if (value === null) await this.confirmUnlocked(keytar);
      return value;
    });
  }

  set(account: string, value: string): Promise<void> {
    return this.attempt('save', (keytar) => keytar.setPassword(this.service, account, value));
  }

  delete(account: string): Promise<boolean> {
    return this.attempt('delete', async (keytar) => {
      const deleted = await keytar.deletePassword(this.service, account);
      if (!deleted) await this.confirmUnlocked(keytar);
      return deleted;
    });
  }

  // A locked Secret Service answers every read with "nothing" and every delete with "nothing to delete", exactly as
  // for a missing entry; only a write is refused. So a "nothing" is believed only once a probe entry can be written
  // and read back.
  private async confirmUnlocked(keytar: Keytar): Promise<void> {
    const marker = randomBytes(8).toString('hex');
    // One account per probe, so probes running at once cannot read each other's marker.
    const probe = `.probe-${marker}`;
    try {
      await keytar.setPassword(this.service, probe, marker);
    } catch (error) {
      throw new Error(`the keychain is locked (${reasonOf(error)})`);
    }
    const readBack = await keytar.getPassword(this.service, probe);
    await keytar.deletePassword(this.service, probe);
    if (readBack !== marker) throw new Error('the keychain is locked: an entry written now cannot be read back');
  }

  private async attempt<T>(operation: KeychainOperation, run: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = loadKeytar(operation);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new KeychainUnavailableError(operation, `no answer within ${Math.round(this.timeoutMs / 1000)} s`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([run(keytar), timeout]);
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw error;
      throw new KeychainUnavailableError(operation, reasonOf(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

let shared: Keychain | null = null;

/** The process-wide keychain (one keytar binding, one service name). */
export function systemKeychain(): Keychain {
  shared ??= new KeytarKeychain();
  return shared;
}
