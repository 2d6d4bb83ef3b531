// The one message table: every error code the console knows — Bitrix24's, the client's and the console's own —
// with its category and the words a supervisor reads. The engine, the CLI and the renderer all read it here, so a
// new code lands in exactly one place. Codes are matched upper case.
import type { ErrorCategory } from './envelope.ts';

export interface ErrorText {
  category: ErrorCategory;
  /** What the user reads; for the console's own codes, the raiser usually says more. */
  message: string;
  /** The same failure told about one chat: `{chat}` stands for the chat id. */
  onChat?: string;
  /** A right the whole webhook lacks: every chat of a run would fail alike, so the run stops instead. */
  runWide?: true;
}

/** Answers of the portal (HTTP 4xx/5xx envelopes and batch `result_error`). */
const PORTAL_CODES: Record<string, ErrorText> = {
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
    onChat: 'You have no access to chat {chat}. Ask a portal administrator for rights to its open line.',
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
    runWide: true,
  },
  INVALID_SCOPE: {
    category: 'permission',
    message: 'The app asked for scopes its card does not grant.',
    runWide: true,
  },
  USER_ACCESS_ERROR: {
    category: 'permission',
    message: 'The portal administrator has not given you access to this app.',
    runWide: true,
  },
  METHOD_CONFIRM_WAITING: {
    category: 'permission',
    message: 'This method waits for the portal administrator’s approval.',
    runWide: true,
  },
  METHOD_CONFIRM_DENIED: {
    category: 'permission',
    message: 'The portal administrator refused this method.',
    runWide: true,
  },
  APPLICATION_NOT_FOUND: { category: 'reauth', message: 'The application is not installed on this portal.' },
  ERROR_MANIFEST_IS_NOT_AVAILABLE: { category: 'bad-input', message: 'The requested manifest is not available.' },
  ERROR_METHOD_NOT_FOUND: {
    category: 'bad-input',
    message: 'The portal does not know this method (an older version?).',
  },
  TARIFF_RESTRICTION: {
    category: 'permission',
    message: 'The portal’s plan does not include this feature.',
    runWide: true,
  },
  // imopenlines method errors (HTTP 400)
  CHAT_ID: {
    category: 'bad-input',
    message: 'The chat id is empty, invalid or does not exist.',
    onChat: 'Chat {chat} does not exist on the portal. Check the chat ID; the chat may have been deleted.',
  },
  CHAT_ID_EMPTY: { category: 'bad-input', message: 'No chat id was given.' },
  CHAT_TYPE: {
    category: 'bad-input',
    message: 'This chat is not an open-line chat.',
    onChat: 'Chat {chat} is not an open-line chat, so no session can be started in it.',
  },
  USER_ID: {
    category: 'reauth',
    message: 'The portal could not tell which user is calling; check the webhook’s user.',
    onChat: "The portal could not tell which user is calling. Check that the profile's webhook user is active.",
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

/** Failures the client meets without a Bitrix24 envelope (network, TLS, garbage, address checks). */
const CLIENT_CODES: Record<string, ErrorText> = {
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
  RESPONSE_TOO_LARGE: {
    category: 'ambiguous',
    message:
      'The portal’s answer was far larger than any Bitrix24 answer and was dropped; the request may have taken effect.',
  },
};

/** The console's own codes: their raisers word the details; the table fixes the category. */
const CONSOLE_CODES: Record<string, ErrorText> = {
  CONNECTION_CHECK_FAILED: {
    category: 'bad-input',
    message: 'The portal could not be reached or refused the webhook, so it was not added.',
  },
  INVALID_INPUT: { category: 'invalid-request', message: 'The request to the console was not valid.' },
  UNKNOWN_CHANNEL: { category: 'invalid-request', message: 'The console has no such call.' },
  INVALID_OUTPUT: { category: 'internal', message: 'The console produced an answer it could not check.' },
  NOT_FOUND: { category: 'not-found', message: 'It no longer exists.' },
  FORBIDDEN_SENDER: { category: 'forbidden-sender', message: 'Only the console’s own window may call it.' },
  INTERNAL: { category: 'internal', message: 'Something went wrong in the console.' },
  KEYCHAIN_UNAVAILABLE: {
    category: 'keychain',
    message: 'The system keychain is locked or not answering; unlock it and try again.',
  },
  SECRET_MISSING: { category: 'reauth', message: 'The portal’s secret is not in the keychain; enter it again.' },
  SECRET_UNREADABLE: {
    category: 'reauth',
    message: 'The portal’s secret in the keychain cannot be read; enter it again.',
  },
  PROFILE_NOT_FOUND: { category: 'not-found', message: 'There is no portal profile of that id.' },
  NO_PROFILE: { category: 'not-found', message: 'No portal profile is set up yet.' },
  PROFILE_EXISTS: { category: 'bad-input', message: 'A portal profile of that id exists already.' },
  INVALID_PROFILE: { category: 'bad-input', message: 'The portal profile is not valid.' },
  PROVISIONING_FILE_INVALID: { category: 'bad-input', message: 'The provisioning file is not valid.' },
  PROFILES_FILE_UNREADABLE: { category: 'internal', message: 'The profiles file cannot be read.' },
  PROFILES_FILE_TOO_NEW: { category: 'internal', message: 'The profiles file was written by a newer console.' },
  RUN_BUSY: { category: 'bad-input', message: 'Another run is already working on this portal.' },
  RUN_STATE: { category: 'bad-input', message: 'The run cannot do that in its current state.' },
  RUN_PORTAL_MISMATCH: {
    category: 'bad-input',
    message: 'The run was made on another portal; pick that portal’s profile to continue it.',
  },
  RUN_JOURNAL_DAMAGED: {
    category: 'internal',
    message: 'The run’s journal is damaged; the run can be neither shown nor resumed.',
  },
  USAGE: { category: 'bad-input', message: 'The command was not given what it needs; see its --help.' },
};

const TABLE: Readonly<Record<string, ErrorText>> = { ...PORTAL_CODES, ...CLIENT_CODES, ...CONSOLE_CODES };

/** The table's entry for a code (any case), or undefined for a code nobody documented. */
export function errorText(code: string): ErrorText | undefined {
  return TABLE[code.toUpperCase()];
}

/** The entry of a code the portal answers or the Bitrix24 client raises (any case); the console's own codes excluded. */
export function bitrix24ErrorText(code: string): ErrorText | undefined {
  const upper = code.toUpperCase();
  return PORTAL_CODES[upper] ?? CLIENT_CODES[upper];
}

/** Every code a portal may answer with, for tests and documentation. */
export const KNOWN_PORTAL_CODES: readonly string[] = Object.keys(PORTAL_CODES);

/** The codes the client raises itself, where no portal answer came. */
export const KNOWN_CLIENT_CODES: readonly string[] = Object.keys(CLIENT_CODES);

/** The failure told about one chat, where the table words it so; otherwise undefined. */
export function chatErrorText(code: string, chatId: number): string | undefined {
  return errorText(code)?.onChat?.replaceAll('{chat}', String(chatId));
}

/**
 * Whether sending a chat's failed write again may succeed: not when the portal refused the chat itself (not an
 * open line, no such chat, no rights to it); a code nobody documented may be a passing condition.
 */
export function retryMaySucceed(code: string | null): boolean {
  const category = code === null ? undefined : errorText(code)?.category;
  return category !== 'bad-input' && category !== 'permission';
}

/** Stopped by the portal itself: only Bitrix24 (support, the plan) can lift it. */
export function stopsThePortal(code: string): boolean {
  return errorText(code)?.category === 'blocked';
}

/** Stopped for the credentials or their rights: the profile must be fixed before a run resumes. */
export function stopsForAuthorization(code: string): boolean {
  const text = errorText(code);
  if (!text) return false;
  return text.category === 'reauth' || text.category === 'keychain' || text.runWide === true;
}
