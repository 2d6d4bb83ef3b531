// Exit codes scripts rely on (issue #5), picked from an error's category in this one table. The same category can
// stand for two exits: the console refusing a command line is a usage error, the portal refusing a request is not.
import type { ErrorCategory } from '../../core/app-error.ts';
import { isAppError } from '../../core/app-error.ts';
import { Bitrix24Error, classify } from '../../core/bitrix24/errors.ts';

export const EXIT = {
  ok: 0,
  someFailed: 1,
  usage: 2,
  config: 3,
  stopped: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface CategoryExits {
  /** The console raised it: the command line, a file or a profile it names is wrong, or something is set up wrong. */
  raised: ExitCode;
  /** The portal answered with it (a Bitrix24Error): the command line was fine, so never a usage error. */
  answered: ExitCode;
  /** A bulk run stopped for it: resumable as it is (4) unless credentials, rights or input need fixing first (3). */
  runStop: ExitCode;
}

const { usage, config, stopped } = EXIT;

const BY_CATEGORY: Record<ErrorCategory, CategoryExits> = {
  'bad-input': { raised: usage, answered: config, runStop: config },
  'not-found': { raised: usage, answered: config, runStop: stopped },
  reauth: { raised: config, answered: config, runStop: config },
  permission: { raised: config, answered: config, runStop: config },
  keychain: { raised: config, answered: config, runStop: stopped },
  internal: { raised: config, answered: config, runStop: stopped },
  retry: { raised: config, answered: config, runStop: stopped },
  'wait-reset': { raised: config, answered: config, runStop: stopped },
  ambiguous: { raised: config, answered: config, runStop: stopped },
  'invalid-request': { raised: config, answered: config, runStop: stopped },
  'forbidden-sender': { raised: config, answered: config, runStop: stopped },
  blocked: { raised: stopped, answered: stopped, runStop: stopped },
  unreachable: { raised: stopped, answered: stopped, runStop: stopped },
};

/** Codes that exit otherwise than their category. */
const BY_CODE: Readonly<Record<string, ExitCode>> = {
  // Not a mistyped name (that is PROFILE_NOT_FOUND): there is no profile at all yet, which is setup to do.
  NO_PROFILE: config,
  // The run is fine; the portal chosen to continue it is not: configuration, like a wrong profile.
  RUN_PORTAL_MISMATCH: config,
};

/** The exit code of an error that ends a command; anything that is not an AppError is configuration (3). */
export function exitCodeOf(error: unknown): ExitCode {
  if (!isAppError(error)) return config;
  const byCode = BY_CODE[error.code];
  if (byCode !== undefined) return byCode;
  const exits = BY_CATEGORY[error.category];
  return error instanceof Bitrix24Error ? exits.answered : exits.raised;
}

/** The exit code of a bulk run that stopped for the portal's (or the console's) code. */
export function runStopExitCode(code: string): ExitCode {
  return BY_CATEGORY[classify(code).category].runStop;
}
