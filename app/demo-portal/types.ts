// The public shape of the demo portal: what tests, benchmarks, the CLI and the desktop app rely on.
import type { HistorySeed } from './seed-data.ts';

export type DemoPlan = 'standard' | 'enterprise';

/** How the portal bills `batch` against the operating budget; the docs and measurements disagree (fact sheet §11). */
export type BatchBilling = 'per-command' | 'outer';

export interface DemoPortalOptions {
  /** 0 or absent: any free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Open-line chats to seed (default 200, at most 50,000). */
  chats?: number;
  /**
   * Closed sessions of earlier years spread over the chats (default none, at most 1,000,000), older than every
   * seeded chat session: a portal with years of history, which the chat list must not page through.
   */
  history?: HistorySeed;
  /** Seed for the reproducible data set (default 1). */
  seed?: number;
  plan?: DemoPlan;
  /** Serve https with a self-signed certificate (its PEM is on the portal object). */
  tls?: boolean;
  /**
   * Server time one call of a method costs, in portal seconds (default 0.02; realistic for session.start: 0.8).
   * A map gives per-method costs; absent methods cost the `default` entry.
   */
  costSeconds?: number | Record<string, number>;
  /** Operating budget per method per window, portal seconds (default 480). */
  operatingLimitSeconds?: number;
  /** Length of the sliding operating window, portal seconds (default 600). */
  operatingWindowSeconds?: number;
  /**
   * Divides every operating-window duration and per-call cost: at 100, the 10-minute window passes in 6 s and
   * a 0.8 s call takes 8 ms. The request bucket is never scaled: it always drains in real seconds.
   * `time.operating` stays in portal seconds; `operating_reset_at` is real unix seconds: an integer (rounded up)
   * at 1, like the cloud, and a float with millisecond precision above 1 so that scaled windows stay usable.
   */
  timeScale?: number;
  batchBilling?: BatchBilling;
  /**
   * Answer `time.processing: 0`, as every imopenlines example of the docs does (`duration` is still measured and
   * `operating` still grows by the real cost): a client can learn a method's cost only from the level's growth.
   */
  zeroProcessing?: boolean;
  /**
   * Portal seconds after which a request is cut off (default 60, as limits.md says; scaled by `timeScale`): the
   * commands that ran stay done, no further command of a batch starts, and the client gets no answer.
   */
  requestCutoffSeconds?: number;
  /** Webhook user id (default 1) and secret code (default: random per start). */
  webhook?: { userId?: number; code?: string };
  /** OAuth application served beside the webhook; tokens are random per start unless given. */
  oauth?: { clientId?: string; clientSecret?: string; accessToken?: string; refreshToken?: string };
  /** Whether `imopenlines.v2.Session.list` exists (`absent` → ERROR_METHOD_NOT_FOUND, `tariff` → TARIFF_RESTRICTION). */
  sessionList?: 'available' | 'absent' | 'tariff';
  /** Scopes granted to the webhook and the OAuth app (default imopenlines, im, user, crm); `scope` returns them. */
  scopes?: string[];
}

/** Faults are drawn per request from a seeded generator, so a run is reproducible. */
export interface DemoFaults {
  /** Share of requests answered 500 INTERNAL_SERVER_ERROR before the method runs. */
  errorBeforeRate?: number;
  /** Share of requests answered 500 after the method ran (its effects are kept). */
  errorAfterRate?: number;
  /** Share of connections destroyed before the method runs. */
  resetBeforeRate?: number;
  /** Share of connections destroyed after the method ran (its effects are kept). */
  resetAfterRate?: number;
  /** Share of requests answered, after the method ran, with a 200 body of `oversizeBytes` (a runaway answer). */
  oversizeAfterRate?: number;
  /** Size of those answers (default 64 MiB), streamed so the portal never holds it. */
  oversizeBytes?: number;
  /** Extra real milliseconds before every answer. */
  slowMs?: number;
  /** Every request answers 503 OVERLOAD_LIMIT while set. */
  overload?: boolean;
  /** Answer every request with this raw body and status (garbage-response tests). */
  garbage?: { status: number; body: string } | null;
  /** Seed for the fault generator (default 7). */
  seed?: number;
  /** imopenlines methods answer 400 USER_ID: the portal cannot tell which user calls (e.g. a fired employee's webhook). */
  unknownCaller?: boolean;
}

export interface DemoCounters {
  /** HTTP requests received, batch counted once. */
  requests: number;
  /** Calls per method, batch sub-commands counted individually. */
  calls: Record<string, number>;
  /** New sessions created per chat by session.start (joins of an active session do not count). */
  sessionStarts: Map<number, number>;
  /** 503 QUERY_LIMIT_EXCEEDED answers. */
  queryLimitHits: number;
  /** 429 OPERATION_TIME_LIMIT answers (top level and inside batches). */
  operatingLimitHits: number;
  /** Token refreshes served. */
  refreshes: number;
  /** Requests rejected for bad credentials or expired tokens. */
  authFailures: number;
}

export interface DemoChat {
  chatId: number;
  lineId: number;
  visitorName: string;
  userCode: string;
  /** Session STATUS integer (0 new … 75 silently closed); ≥ 60 is closed. */
  status: number;
  sessionId: number;
  operatorId: number;
  dateCreate: string;
  /** When the current session closed; null while it is open. */
  dateClose: string | null;
  lastActivity: string;
  /** Pinned to its operator (PAUSE=Y in entity_data_1). */
  pinned: boolean;
  /** False on the line the webhook user has no rights to (ACCESS_DENIED). */
  accessible: boolean;
}

export interface DemoPortal {
  /** `http(s)://127.0.0.1:PORT` */
  origin: string;
  /** The inbound webhook URL, `origin/rest/<user>/<code>/` (contains the secret). */
  webhookUrl: string;
  oauth: {
    clientEndpoint: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
  };
  /** PEM of the self-signed certificate when `tls` is on. */
  caCertificatePem: string | undefined;
  options: Required<Pick<DemoPortalOptions, 'plan' | 'timeScale' | 'operatingLimitSeconds' | 'operatingWindowSeconds'>>;
  counters: DemoCounters;
  resetCounters(): void;
  setFaults(faults: DemoFaults): void;
  setPlan(plan: DemoPlan): void;
  /** Replaces the granted scopes, e.g. to drop `imopenlines` and see `insufficient_scope`. */
  setScopes(scopes: string[]): void;
  /** Makes the current access token expire: the next OAuth call gets 401 expired_token. */
  expireAccessToken(): void;
  /** Snapshot of a chat's state, for assertions. */
  chat(chatId: number): DemoChat | undefined;
  /** Open-line chat ids in seed order. */
  chatIds(): number[];
  /** Config ids of the lines the webhook user cannot access. */
  restrictedLineIds(): number[];
  /** Ids of ordinary group chats (CHAT_TYPE errors). */
  groupChatIds(): number[];
  close(): Promise<void>;
}
