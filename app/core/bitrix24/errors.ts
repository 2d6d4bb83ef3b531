// Bitrix24Error: what the engine throws for every failed call, classified by code (case-insensitively) through the one
// message table (contract/errors.ts); the HTTP status is only a hint.
import { bitrix24ErrorText, KNOWN_PORTAL_CODES } from '../../contract/errors.ts';
import { AppError } from '../app-error.ts';

/** The categories of a portal's or the client's failure (the table's console-only categories never occur here). */
export type ErrorCategory =
  /** Safe to send again after a back-off: the portal refused before running anything. */
  | 'retry'
  /** The method's operating budget is spent: hold it until `operating_reset_at`. */
  | 'wait-reset'
  /** Credentials are missing, wrong or expired beyond refresh: fix the profile. */
  | 'reauth'
  /** The portal user or webhook lacks a right or a scope. */
  | 'permission'
  /** The request itself is wrong (bad CHAT_ID, not an open-line chat, …): sending it again changes nothing. */
  | 'bad-input'
  /** The portal blocks the REST API (OVERLOAD_LIMIT, deleted portal, plan without REST): stop everything. */
  | 'blocked'
  /** The portal could not be reached at all (refused, DNS, TLS): nothing was sent. */
  | 'unreachable'
  /** The call may or may not have run (500, reset after sending, time-out): read state before sending again. */
  | 'ambiguous';

interface CodeInfo {
  category: ErrorCategory;
  message: string;
}

/** Every code the portal may answer that the console knows. */
export const KNOWN_ERROR_CODES: readonly string[] = KNOWN_PORTAL_CODES;

/** Codes the client itself raises for failures that never produced a Bitrix24 envelope. */
export const CLIENT_CODES = {
  unreachable: 'PORTAL_UNREACHABLE',
  timeout: 'REQUEST_TIMEOUT',
  connectionReset: 'CONNECTION_RESET',
  invalidResponse: 'INVALID_RESPONSE',
  insecureAddress: 'INSECURE_PORTAL_ADDRESS',
  invalidAddress: 'INVALID_PORTAL_ADDRESS',
  tlsFailure: 'TLS_FAILURE',
  aborted: 'ABORTED',
  moved: 'PORTAL_MOVED',
  tooLarge: 'RESPONSE_TOO_LARGE',
} as const;

const CLIENT_CODE_SET: ReadonlySet<string> = new Set(Object.values(CLIENT_CODES));

/**
 * The portal itself answered with this error (a Bitrix24 envelope with an HTTP status), so it is done with the
 * request. Not so for what the console concluded on its own (a reset, a time-out, a page from a proxy in front).
 */
export function portalAnswered(error: Bitrix24Error): boolean {
  return error.status !== undefined && !CLIENT_CODE_SET.has(error.code);
}

export interface Bitrix24ErrorInit {
  code: string;
  /** The portal's `error_description`; kept for diagnostics, never shown alone. */
  description?: string;
  status?: number;
  method?: string;
  /** For OPERATION_TIME_LIMIT: when the method may be called again (unix ms). */
  resetAt?: number;
  /** Overrides the catalog message where the client knows more (e.g. which address was refused). */
  message?: string;
  cause?: unknown;
}

export class Bitrix24Error extends AppError {
  override readonly name = 'Bitrix24Error';
  declare readonly category: ErrorCategory;
  readonly description: string | undefined;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly resetAt: number | undefined;

  constructor(init: Bitrix24ErrorInit) {
    const info = classify(init.code, init.status);
    super({
      code: init.code,
      category: info.category,
      message: init.message ?? humanMessage(init.code, info),
      ...(init.cause === undefined ? {} : { cause: init.cause }),
    });
    this.description = init.description;
    this.status = init.status;
    this.method = init.method;
    this.resetAt = init.resetAt;
  }
}

function humanMessage(code: string, info: CodeInfo): string {
  return info === UNKNOWN ? `The portal refused the request (${code}).` : info.message;
}

const UNKNOWN: CodeInfo = { category: 'bad-input', message: '' };

export function classify(code: string, status?: number): CodeInfo {
  const upper = code.toUpperCase();
  const info = bitrix24ErrorText(upper) as CodeInfo | undefined;
  if (upper === 'ACCESS_DENIED' && status === 403) {
    // The same code string means "no REST on this plan" at 403 and "no access to the dialog" at 400. The status
    // decides: the description is translated on portals in other languages.
    return { category: 'blocked', message: 'The REST API is available only on commercial Bitrix24 plans.' };
  }
  if (info) return info;
  if (status !== undefined && status >= 500) {
    return { category: 'ambiguous', message: `The portal failed with an unknown error (${code}).` };
  }
  if (status === 401) return { category: 'reauth', message: `The portal refused the credentials (${code}).` };
  return UNKNOWN;
}

export function isBitrix24Error(value: unknown): value is Bitrix24Error {
  return value instanceof Bitrix24Error;
}

export function codeIs(error: unknown, code: string): boolean {
  return isBitrix24Error(error) && error.code.toUpperCase() === code.toUpperCase();
}
