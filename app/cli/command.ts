// What a subcommand is: `run(argv)` resolves to the exit code; bad arguments or input raise UsageError.
import { AppError } from '../core/app-error.ts';

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
