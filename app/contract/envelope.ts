// Every IPC answer is an envelope: Electron passes only `error.message` across ipcMain.handle, so a thrown
// error would lose its code. Handlers return this shape on both transports (Electron IPC and the browser host).
import { z } from 'zod';

export const ERROR_CATEGORIES = [
  'retry',
  'wait-reset',
  'reauth',
  'permission',
  'bad-input',
  'blocked',
  'unreachable',
  'ambiguous',
  'invalid-request',
  'forbidden-sender',
  'keychain',
  'not-found',
  'internal',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export const ipcErrorSchema = z.object({
  /** A Bitrix24 code (`CHAT_ID`, `OPERATION_TIME_LIMIT`, …) or an app code (`INVALID_INPUT`, `KEYCHAIN_UNAVAILABLE`, …). */
  code: z.string(),
  category: z.enum(ERROR_CATEGORIES),
  /** Human message, safe to show: never a secret, never a raw portal description alone. */
  message: z.string(),
  retryable: z.boolean(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcError };

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ipcErrorSchema }),
  ]);
}
