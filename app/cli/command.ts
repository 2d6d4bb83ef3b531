// What every subcommand shares: exit codes, argument errors and the one place errors are printed.
import { AppError } from '../core/app-error.ts';
import { Bitrix24Error } from '../core/bitrix24/errors.ts';
import { redact } from '../core/redact.ts';

/** Exit codes scripts rely on (issue #5). */
export const EXIT = {
  ok: 0,
  someFailed: 1,
  usage: 2,
  config: 3,
  stopped: 4,
} as const;

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad arguments or input: printed as is, exit 2, nothing sent. */
export class UsageError extends AppError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super({ code: 'USAGE', category: 'bad-input', message, retryable: false });
  }
}

/** Prints an error that reached the top without being handled and picks its exit code. */
export function usageError(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`openlines: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof Bitrix24Error) {
    console.error(`openlines: ${error.message} [${error.code}]`);
    return error.category === 'blocked' || error.category === 'unreachable' ? EXIT.stopped : EXIT.config;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`openlines: ${redact(message)}`);
  return EXIT.config;
}
