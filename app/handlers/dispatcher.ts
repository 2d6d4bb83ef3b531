// The one entry point both transports call: Electron IPC (after the sender check) and the browser host's socket
// (after the token check). It refuses unknown channels, validates input and output against the contract, and never
// throws: every outcome is an envelope.
import { type ChannelName, channels, type IpcResult } from '../contract/index.ts';
import type { HandlerTable } from './context.ts';
import { toIpcError } from './error-envelope.ts';
import { APP_CODES } from './handler-error.ts';

export type Dispatch = (channel: string, rawInput: unknown) => Promise<IpcResult<unknown>>;

export interface DispatcherOptions {
  /** Secrets currently in play (e.g. the demo portal's webhook code), masked in every error message. */
  knownSecrets?: () => readonly string[];
  log?: (line: string) => void;
}

export function isChannelName(name: string): name is ChannelName {
  return Object.hasOwn(channels, name);
}

export function createDispatcher(table: HandlerTable, options: DispatcherOptions = {}): Dispatch {
  return async (channel, rawInput) => {
    if (typeof channel !== 'string' || !isChannelName(channel)) {
      return failure(APP_CODES.unknownChannel, `There is no channel called "${String(channel).slice(0, 64)}".`);
    }
    const spec = channels[channel];
    const parsed = spec.input.safeParse(rawInput);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.map(String).join('.') || 'input'}: ${issue.message}`)
        .join('; ');
      return failure(APP_CODES.invalidInput, `The request to ${channel} is not valid (${problems}).`);
    }
    let data: unknown;
    try {
      // The table is indexed by the channel's own name, so the parsed input matches its handler.
      const handler = table[channel] as (input: unknown) => Promise<unknown>;
      data = await handler(parsed.data);
    } catch (error) {
      const ipcError = toIpcError(error, options.knownSecrets?.() ?? []);
      if (ipcError.category === 'internal') options.log?.(`${channel} failed: ${ipcError.message}`);
      return { ok: false, error: ipcError };
    }
    const checked = spec.output.safeParse(data);
    if (!checked.success) {
      options.log?.(`${channel} produced an answer outside the contract: ${checked.error.issues[0]?.message ?? ''}`);
      return {
        ok: false,
        error: {
          code: APP_CODES.invalidOutput,
          category: 'internal',
          message: `The console produced an invalid answer for ${channel}.`,
          retryable: false,
        },
      };
    }
    return { ok: true, data: checked.data };
  };
}

function failure(code: string, message: string): IpcResult<never> {
  return { ok: false, error: { code, category: 'invalid-request', message, retryable: false } };
}
