// Every Bitrix24 error code the console knows, classified by code (case-insensitively); the HTTP status is only a hint.

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

const CODES: Record<string, CodeInfo> = {
  QUERY_LIMIT_EXCEEDED: { category: 'retry', message: 'The portal is receiving too many requests; retrying shortly.' },
  OPERATION_TIME_LIMIT: {
    category: 'wait-reset',
    message: 'This method has used its operating-time budget on the portal; it resumes when the budget resets.',
  },
  OVERLOAD_LIMIT: {
    category: 'blocked',
    message: 'Bitrix24 has blocked the REST API of this portal for overload. Only Bitrix24 support can lift the block.',
  },
  PORTAL_DELETED: { category: 'blocked', message: 'The portal was deleted or its public part is closed.' },
  ACCESS_DENIED: {
    category: 'permission',
    message: 'You do not have access to this dialog (or the portal plan has no REST API).',
  },
  PAYMENT_REQUIRED: { category: 'blocked', message: 'The application’s paid period on this portal has ended.' },
  INTERNAL_SERVER_ERROR: {
    category: 'ambiguous',
    message: 'The portal had an internal error; the request may or may not have taken effect.',
  },
  ERROR_UNEXPECTED_ANSWER: {
    category: 'ambiguous',
    message: 'The portal returned an unexpected answer; the request may or may not have taken effect.',
  },
  ERROR_BATCH_METHOD_NOT_ALLOWED: { category: 'bad-input', message: 'This method cannot be sent inside a batch.' },
  ERROR_BATCH_LENGTH_EXCEEDED: {
    category: 'retry',
    message: 'The batch held more than 50 commands; this one did not run.',
  },
  NO_AUTH_FOUND: {
    category: 'reauth',
    message: 'The portal did not accept the credentials. Check the profile’s webhook or sign in again.',
  },
  INVALID_CREDENTIALS: {
    category: 'reauth',
    message: 'The portal rejected the credentials (wrong webhook code or a user without rights). Check the profile.',
  },
  INVALID_TOKEN: { category: 'reauth', message: 'The access token is not valid. Sign in to the portal again.' },
  EXPIRED_TOKEN: {
    category: 'reauth',
    message: 'The access token has expired and could not be refreshed. Sign in again.',
  },
  INVALID_GRANT: { category: 'reauth', message: 'The refresh token is no longer valid. Sign in to the portal again.' },
  INVALID_CLIENT: {
    category: 'reauth',
    message: 'The OAuth client id or secret is wrong, or the app is not installed.',
  },
  WRONG_AUTH_TYPE: { category: 'reauth', message: 'This method cannot be called with this kind of credentials.' },
  AUTHORIZATION_ERROR: { category: 'reauth', message: 'The portal could not authorize the user.' },
  INVALID_REQUEST: { category: 'bad-input', message: 'The portal requires HTTPS for REST calls.' },
  INSUFFICIENT_SCOPE: {
    category: 'permission',
    message: 'The webhook or app lacks a required scope (imopenlines, im). Add it on the portal.',
  },
  INVALID_SCOPE: { category: 'permission', message: 'The app asked for scopes its card does not grant.' },
  USER_ACCESS_ERROR: {
    category: 'permission',
    message: 'The portal administrator has not given you access to this app.',
  },
  METHOD_CONFIRM_WAITING: {
    category: 'permission',
    message: 'This method waits for the portal administrator’s approval.',
  },
  METHOD_CONFIRM_DENIED: { category: 'permission', message: 'The portal administrator refused this method.' },
  APPLICATION_NOT_FOUND: { category: 'reauth', message: 'The application is not installed on this portal.' },
  ERROR_MANIFEST_IS_NOT_AVAILABLE: { category: 'bad-input', message: 'The requested manifest is not available.' },
  ERROR_METHOD_NOT_FOUND: {
    category: 'bad-input',
    message: 'The portal does not know this method (an older version?).',
  },
  TARIFF_RESTRICTION: { category: 'permission', message: 'The portal’s plan does not include this feature.' },
  // imopenlines method errors (HTTP 400)
  CHAT_ID: { category: 'bad-input', message: 'The chat id is empty, invalid or does not exist.' },
  CHAT_ID_EMPTY: { category: 'bad-input', message: 'No chat id was given.' },
  CHAT_TYPE: { category: 'bad-input', message: 'This chat is not an open-line chat.' },
  USER_ID: {
    category: 'reauth',
    message: 'The portal could not tell which user is calling; check the webhook’s user.',
  },
  ACCESS_ERROR: { category: 'permission', message: 'The dialog does not exist or you have no access to it.' },
  ACCESS_DENIED_KICK: { category: 'bad-input', message: 'The dialog cannot be handed over (it may be closed).' },
  OPERATOR_WRONG: { category: 'bad-input', message: 'The dialog cannot be passed to this operator.' },
  IM_NOT_INSTALLED: { category: 'blocked', message: 'The chat module is not installed on the portal.' },
  IM_LOAD_ERROR: { category: 'ambiguous', message: 'The portal failed to load its chat modules.' },
  MISSING_REQUIRED_PARAM: { category: 'bad-input', message: 'A required parameter is missing.' },
  INVALID_SESSION_ID: { category: 'bad-input', message: 'No session could be found for this chat.' },
  INVALID_FORMAT: { category: 'bad-input', message: 'The portal rejected the request’s format.' },
  INVALID_FILTER: { category: 'bad-input', message: 'The portal rejected the filter.' },
  PERIOD_TOO_LARGE: { category: 'bad-input', message: 'The date range is longer than 366 days.' },
  OFFSET_TOO_LARGE: { category: 'bad-input', message: 'The list offset is past 10,000; narrow the date range.' },
  ERROR_USER_NOT_OPERATOR: { category: 'permission', message: 'Only the session’s current operator can do this.' },
};

/** Every portal error code in the catalog (upper case), for tests and documentation. */
export const KNOWN_ERROR_CODES: readonly string[] = Object.keys(CODES);

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
} as const;

const CLIENT_CODE_INFO: Record<string, CodeInfo> = {
  PORTAL_UNREACHABLE: {
    category: 'unreachable',
    message: 'The portal cannot be reached (offline, wrong address or refused).',
  },
  REQUEST_TIMEOUT: {
    category: 'ambiguous',
    message: 'The portal did not answer in time; the request may have taken effect.',
  },
  CONNECTION_RESET: {
    category: 'ambiguous',
    message: 'The connection dropped after the request was sent; it may have taken effect.',
  },
  INVALID_RESPONSE: {
    category: 'ambiguous',
    message: 'The portal answered with something that is not a Bitrix24 response.',
  },
  INSECURE_PORTAL_ADDRESS: {
    category: 'bad-input',
    message: 'Plain http is allowed only for this computer (localhost); use https for a portal.',
  },
  INVALID_PORTAL_ADDRESS: { category: 'bad-input', message: 'The portal address is not valid.' },
  TLS_FAILURE: {
    category: 'unreachable',
    message:
      'The portal’s certificate was not trusted. For an on-premise portal, add its CA certificate to the profile.',
  },
  ABORTED: { category: 'retry', message: 'The request was cancelled before it was sent.' },
  PORTAL_MOVED: {
    category: 'unreachable',
    message: 'The portal answers from a new address; update the profile with the new portal address.',
  },
};

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

export class Bitrix24Error extends Error {
  override readonly name = 'Bitrix24Error';
  readonly code: string;
  readonly category: ErrorCategory;
  readonly description: string | undefined;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly resetAt: number | undefined;

  constructor(init: Bitrix24ErrorInit) {
    const info = classify(init.code, init.status, init.description);
    super(init.message ?? humanMessage(init.code, info), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.category = info.category;
    this.description = init.description;
    this.status = init.status;
    this.method = init.method;
    this.resetAt = init.resetAt;
  }

  /** Sending the same request again may succeed without anyone changing anything. */
  get retryable(): boolean {
    return this.category === 'retry' || this.category === 'wait-reset';
  }
}

function humanMessage(code: string, info: CodeInfo): string {
  return info === UNKNOWN ? `The portal refused the request (${code}).` : info.message;
}

const UNKNOWN: CodeInfo = { category: 'bad-input', message: '' };

export function classify(code: string, status?: number, description?: string): CodeInfo {
  const upper = code.toUpperCase();
  const info = CODES[upper] ?? CLIENT_CODE_INFO[upper];
  if (upper === 'ACCESS_DENIED' && status === 403 && /commercial|plan|tariff/i.test(description ?? '')) {
    // The same code string means "no REST on this plan" at 403 and "no access to the dialog" at 400.
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
