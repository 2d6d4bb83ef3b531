// The public shape of the Bitrix24 engine. Everything outside app/core/bitrix24 codes against these types only.
import type { Bitrix24Error } from './errors.ts';

export type Plan = 'standard' | 'enterprise';

export interface BucketLimits {
  /** Requests the bucket holds before the portal answers 503 (50 standard, 250 enterprise). */
  capacity: number;
  /** Requests drained per second (2 standard, 5 enterprise). */
  drainPerSecond: number;
}

export const PLAN_LIMITS: Record<Plan, BucketLimits> = {
  standard: { capacity: 50, drainPerSecond: 2 },
  enterprise: { capacity: 250, drainPerSecond: 5 },
};

export interface WebhookCredentials {
  kind: 'webhook';
  /** The whole inbound webhook URL, `https://host/rest/<user>/<code>/`; the code is the secret. */
  webhookUrl: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Unix ms when the access token expires, when known. */
  expiresAt?: number;
}

export interface OAuthCredentials {
  kind: 'oauth';
  /** `client_endpoint`, e.g. `https://portal.bitrix24.com/rest/`. */
  clientEndpoint: string;
  clientId: string;
  clientSecret: string;
  tokens: OAuthTokens;
  /** The authorization server; `https://oauth.bitrix.info/oauth/token/` unless a test portal says otherwise. */
  tokenUrl?: string;
}

export type PortalCredentials = WebhookCredentials | OAuthCredentials;

/** Time source, injectable so tests and the demo portal can agree on a clock. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface ClientOptions {
  credentials: PortalCredentials;
  plan?: Plan;
  /** Overrides the plan's bucket (e.g. when several apps share the portal's IP bucket). */
  bucket?: BucketLimits;
  /** Extra trusted CA (PEM) for an on-premise portal behind a private CA. */
  caCertificatePem?: string;
  /** Called with the rotated pair as soon as a refresh succeeds, so it can be stored. */
  onTokensRotated?: (tokens: OAuthTokens) => void | Promise<void>;
  /** Per-request time-out; the portal itself cuts requests at 60 s. */
  requestTimeoutMs?: number;
  /** The largest answer accepted, in bytes (MAX_RESPONSE_BYTES by default); a larger one fails RESPONSE_TOO_LARGE. */
  maxResponseBytes?: number;
  /** Operating budget per method in seconds when the portal does not say (480 in the cloud). */
  operatingBudgetSeconds?: number;
  clock?: Clock;
  /** Receives redacted diagnostic lines only. */
  log?: (line: string) => void;
  /**
   * Called once as each `call` or `batch` of this client settles (retries inside it included): whoever tracks
   * whether the portal answers (the connection state) listens here.
   */
  onOutcome?: (outcome: ClientOutcome) => void;
}

/** How one `call` or `batch` ended: answered, or the error it failed or stopped with. */
export type ClientOutcome = { ok: true } | { ok: false; error: unknown };

export interface TimeInfo {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  /** Seconds this method used in the portal's sliding window. */
  operating?: number;
  /** Unix seconds when the oldest minute of the window drops out. */
  operatingResetAt?: number;
}

export interface MethodResult<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time?: TimeInfo;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Reads may be retried after an ambiguous failure; writes are not (default false). */
  idempotent?: boolean;
}

export interface BatchCommand {
  /** Named key, unique in the batch (e.g. `s2043`); never a bare number. */
  key: string;
  method: string;
  params: Record<string, unknown>;
}

export type CommandOutcome =
  | { key: string; status: 'ok'; result: unknown; time?: TimeInfo }
  | { key: string; status: 'failed'; error: Bitrix24Error }
  /** Never reached the portal: the run was stopped (abort, OVERLOAD_LIMIT, auth) before it was sent. */
  | { key: string; status: 'not-sent'; reason: Bitrix24Error };

/** What reading state says about a command whose request had an ambiguous fate. */
export type ReconcileVerdict = { status: 'ok'; result: unknown } | { status: 'not-run' };

export interface BatchOptions {
  signal?: AbortSignal;
  /** Upper bound on commands per request (≤ 50); the engine adapts below it from `result_time`. */
  maxChunkSize?: number;
  /** Awaited before each request leaves, with the commands it carries (e.g. to flush a journal). */
  beforeSend?: (commands: readonly BatchCommand[]) => Promise<void> | void;
  /** Called as commands settle, chunk by chunk. */
  onSettled?: (outcomes: readonly CommandOutcome[]) => Promise<void> | void;
  /**
   * Reads portal state to learn whether commands of a request with an unknown fate ran. Without it,
   * such commands are re-sent only when the batch is idempotent, and fail as `ambiguous` otherwise.
   */
  reconcile?: (commands: readonly BatchCommand[]) => Promise<Map<string, ReconcileVerdict>>;
  /** The commands are safe to send twice (reads). */
  idempotent?: boolean;
  /** Seconds one request should take at most; chunks shrink to fit (default 20, well inside the 60 s cut-off). */
  targetRequestSeconds?: number;
}

export interface BatchReport {
  outcomes: Map<string, CommandOutcome>;
  /** HTTP requests this batch made, retries included. */
  requests: number;
  /** Set when a portal-wide condition (OVERLOAD_LIMIT, auth) stopped the batch; unsent commands are `not-sent`. */
  stoppedBy?: Bitrix24Error;
}

export interface MethodOperating {
  method: string;
  operatingSeconds: number;
  budgetSeconds: number;
  /** Unix ms when the oldest part of the window expires, when the portal said. */
  resetAt: number | null;
  /** Unix ms until which the client holds this method after OPERATION_TIME_LIMIT. */
  heldUntil: number | null;
}

export interface LimitHit {
  at: number;
  code: string;
  method: string;
}

export interface LimitsSnapshot {
  /** Redacted portal label (host only). */
  portal: string;
  bucket: { level: number; capacity: number; drainPerSecond: number };
  /** Calls queued behind the bucket or a held method. */
  waiting: number;
  methods: MethodOperating[];
  recentHits: LimitHit[];
  /** Set after OVERLOAD_LIMIT (or another portal-wide block): no call is sent until cleared. */
  blocked: { code: string; message: string; at: number } | null;
  requestsSent: number;
}

export interface LimitsMonitor {
  snapshot(): LimitsSnapshot;
  /** Called on every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: LimitsSnapshot) => void): () => void;
}

export interface Bitrix24Client {
  /** Host of the portal, safe to show and log. */
  readonly portalLabel: string;
  readonly limits: LimitsMonitor;
  call<T = unknown>(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<MethodResult<T>>;
  batch(commands: readonly BatchCommand[], options?: BatchOptions): Promise<BatchReport>;
  /** Clears a portal-wide block after the user confirms it was lifted. */
  clearBlock(): void;
}
