// The benchmark's demo portal: one configuration for every contender, a fresh seeded portal per run, the target
// chats (closed sessions on lines the webhook user may open, so each successful start creates exactly one new
// session and the portal's counters are the ground truth), and the verdict read back from those counters.
import { createDemoPortal } from '../app/demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../app/demo-portal/types.ts';
import type { ScheduleLimits } from './optimal.ts';

export const START_METHOD = 'imopenlines.session.start';
export const VERIFY_METHOD = 'imopenlines.dialog.get';

export interface BenchPortalConfig {
  timeScale: number;
  /** Portal seconds per imopenlines.session.start (fact sheet §4.4: about 0.8 s). */
  startCostSeconds: number;
  /** Portal seconds per other call (reads such as dialog.get). */
  readCostSeconds: number;
  operatingLimitSeconds: number;
  operatingWindowSeconds: number;
  seed: number;
  /** Answer `time.processing: 0`, as the docs' imopenlines examples do. */
  zeroProcessing?: boolean;
}

export const PLAN = 'standard' as const;
export const BUCKET = { capacity: 50, drainPerSecond: 2 };
export const MAX_BATCH = 50;
export const REQUEST_CUTOFF_SECONDS = 60;

const CLOSED_STATUS = 60;
/** Share of seeded chats that are closed and on an accessible line is about 40 %; seed with room to spare. */
const SEED_FACTOR = 3;

/** The limits the schedule-optimal bound is computed against: the bench portal's, as configured. */
export function scheduleLimitsOf(config: BenchPortalConfig): ScheduleLimits {
  return {
    bucketCapacity: BUCKET.capacity,
    drainPerSecond: BUCKET.drainPerSecond,
    maxBatch: MAX_BATCH,
    requestCutoffSeconds: REQUEST_CUTOFF_SECONDS,
    operatingLimitSeconds: config.operatingLimitSeconds,
    operatingWindowSeconds: config.operatingWindowSeconds,
    timeScale: config.timeScale,
  };
}

export function portalOptions(config: BenchPortalConfig, chats: number, tls: boolean): DemoPortalOptions {
  return {
    chats: Math.min(50_000, Math.max(2_000, Math.ceil(chats * SEED_FACTOR))),
    seed: config.seed,
    plan: PLAN,
    tls,
    costSeconds: { [START_METHOD]: config.startCostSeconds, default: config.readCostSeconds },
    operatingLimitSeconds: config.operatingLimitSeconds,
    operatingWindowSeconds: config.operatingWindowSeconds,
    timeScale: config.timeScale,
    batchBilling: 'per-command',
    zeroProcessing: config.zeroProcessing === true,
  };
}

/**
 * Lines the webhook user cannot open, learned through the public API (dialog.get answers ACCESS_ERROR there) on a
 * throw-away portal with the same seed, so the measured portals see no extra request.
 */
export async function inaccessibleLines(config: BenchPortalConfig): Promise<Set<number>> {
  const portal = await createDemoPortal({ ...portalOptions(config, 0, false), costSeconds: 0 });
  try {
    const firstChatOfLine = new Map<number, number>();
    for (const chatId of portal.chatIds()) {
      const chat = portal.chat(chatId);
      if (chat && !firstChatOfLine.has(chat.lineId)) firstChatOfLine.set(chat.lineId, chatId);
    }
    const denied = new Set<number>();
    for (const [lineId, chatId] of firstChatOfLine) {
      const response = await fetch(`${portal.webhookUrl}${VERIFY_METHOD}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ CHAT_ID: chatId }),
      });
      const body = (await response.json()) as { error?: string };
      if (body.error !== undefined) denied.add(lineId);
    }
    return denied;
  } finally {
    await portal.close();
  }
}

export interface BenchPortal {
  portal: DemoPortal;
  /** The chats the contender must start, in id order. */
  targets: number[];
}

export async function freshPortal(
  config: BenchPortalConfig,
  chats: number,
  denied: ReadonlySet<number>,
  tls = false,
): Promise<BenchPortal> {
  const portal = await createDemoPortal(portalOptions(config, chats, tls));
  const targets: number[] = [];
  for (const chatId of portal.chatIds()) {
    if (targets.length >= chats) break;
    const chat = portal.chat(chatId);
    if (chat && chat.status >= CLOSED_STATUS && !denied.has(chat.lineId)) targets.push(chatId);
  }
  if (targets.length < chats) {
    await portal.close();
    throw new Error(`The portal seeded only ${targets.length} startable chats; ${chats} were asked for`);
  }
  portal.resetCounters();
  return { portal, targets };
}

export interface PortalVerdict {
  /** HTTP requests the portal received (batch counted once). */
  requests: number;
  /** Target chats with exactly one new session. */
  startedOnce: number;
  /** Target chats with no new session: the contender left them failed. */
  failed: number[];
  /** Target chats with more than one new session. */
  doubled: number;
  queryLimitHits: number;
  operatingLimitHits: number;
  calls: Record<string, number>;
}

export function verdict(portal: DemoPortal, targets: readonly number[]): PortalVerdict {
  const { counters } = portal;
  const failed: number[] = [];
  let startedOnce = 0;
  let doubled = 0;
  for (const chatId of targets) {
    const starts = counters.sessionStarts.get(chatId) ?? 0;
    if (starts === 0) failed.push(chatId);
    else if (starts === 1) startedOnce++;
    else doubled++;
  }
  return {
    requests: counters.requests,
    startedOnce,
    failed,
    doubled,
    queryLimitHits: counters.queryLimitHits,
    operatingLimitHits: counters.operatingLimitHits,
    calls: { ...counters.calls },
  };
}
