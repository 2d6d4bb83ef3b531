// One measured contender: a fresh seeded portal, the contender in its own process, the verdict from the portal's
// counters, and the row the report prints.
import type { DemoFaults } from '../app/demo-portal/types.ts';
import { type BenchPortalConfig, freshPortal, verdict } from './portal.ts';
import {
  type ChatTrace,
  type ContenderJob,
  type ContenderName,
  type ContenderResult,
  runContender,
} from './protocol.ts';

export const LIMIT_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'OVERLOAD_LIMIT']);

const isLimitCode = (code: string): boolean => LIMIT_CODES.has(code.replace(/^not-sent:/, '').toUpperCase());

export interface Row {
  contender: string;
  chats: number;
  elapsedMs: number;
  ratio: number | null;
  requests: number;
  failed: number;
  failedByLimits: number;
  doubled: number;
  queryLimitHits: number;
  operatingLimitHits: number;
  /** Set when the row is extrapolated from a sample. */
  sample?: { chats: number; elapsedMs: number; requests: number };
  peakRssBytes?: number;
  rssBeforeBytes?: number;
  target?: { met: boolean; why: string[] };
  notes: string[];
}

export interface Measured {
  row: Row;
  result: ContenderResult;
}

export interface MeasureOptions {
  config: BenchPortalConfig;
  denied: ReadonlySet<number>;
  contender: ContenderName;
  label: string;
  chats: number;
  tls?: boolean;
  job?: Partial<ContenderJob>;
  /** Faults the portal injects while the contender runs. */
  faults?: DemoFaults;
}

export async function measure(options: MeasureOptions): Promise<Measured> {
  const { config } = options;
  const { portal, targets } = await freshPortal(config, options.chats, options.denied, options.tls === true);
  try {
    process.stderr.write(`• ${options.label}: ${options.chats} chats (timeScale ${config.timeScale})\n`);
    if (options.faults) portal.setFaults(options.faults);
    const result = await runContender({
      contender: options.contender,
      webhookUrl: portal.webhookUrl,
      ...(portal.caCertificatePem === undefined ? {} : { caCertificatePem: portal.caCertificatePem }),
      chatIds: targets,
      timeScale: config.timeScale,
      operatingBudgetSeconds: config.operatingLimitSeconds,
      operatingWindowSeconds: config.operatingWindowSeconds,
      ...options.job,
    });
    portal.setFaults({});
    // Let a request the contender abandoned finish on the portal before the counters are read.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const seen = verdict(portal, targets);
    const failedSet = new Set(seen.failed);
    const codeByChat = new Map<number, string>();
    const anonymous: string[] = [];
    for (const failure of result.failures) {
      if (failure.chatId === null) anonymous.push(failure.code);
      else codeByChat.set(failure.chatId, failure.code);
    }
    // A failed chat counts as failed by limits when the client tied it to a limit code; chats the client cannot
    // name (b24jssdk drops failed rows, and halts the rest of a chunk) count when every error it reported was one.
    const anonymousAllLimits = anonymous.length > 0 && anonymous.every(isLimitCode);
    let failedByLimits = 0;
    for (const chatId of failedSet) {
      const code = codeByChat.get(chatId);
      if (code !== undefined ? isLimitCode(code) : anonymousAllLimits) failedByLimits++;
    }
    const codes = new Map<string, number>();
    for (const failure of result.failures) codes.set(failure.code, (codes.get(failure.code) ?? 0) + 1);
    const notes = [...result.notes];
    if (codes.size > 0) {
      notes.push(`client-reported errors: ${[...codes].map(([code, count]) => `${code} ×${count}`).join(', ')}`);
    }
    const row: Row = {
      contender: options.label,
      chats: options.chats,
      elapsedMs: result.elapsedMs,
      ratio: null,
      requests: seen.requests,
      failed: seen.failed.length,
      failedByLimits,
      doubled: seen.doubled,
      queryLimitHits: seen.queryLimitHits,
      operatingLimitHits: seen.operatingLimitHits,
      peakRssBytes: result.peakRssBytes,
      rssBeforeBytes: result.rssBeforeBytes,
      notes,
    };
    return { row, result };
  } finally {
    await portal.close();
  }
}

/**
 * Extrapolates a naive sample to `chats`: after the bucket's burst the loop settles into a steady pace (one request
 * per drain interval, plus its 503 retries), so the remaining chats cost the pace measured over the sample's
 * second half. Fails loudly when the pace would outrun the operating budget, which a linear model cannot carry.
 */
export function extrapolate(
  sample: Row,
  trace: readonly ChatTrace[],
  chats: number,
  callsPerWindow: number,
  windowMs: number,
): Row {
  const n = trace.length;
  const last = trace[n - 1];
  if (!last || n < 4) throw new Error('The naive sample is too small to extrapolate');
  const from = Math.min(n - 2, Math.max(Math.floor(n / 2), 55));
  const first = trace[from] as ChatTrace;
  const steady = trace.slice(from + 1);
  const msPerChat = (last.doneAtMs - first.doneAtMs) / steady.length;
  const requestsPerChat = steady.reduce((sum, chat) => sum + chat.requests, 0) / steady.length;
  const remaining = Math.max(0, chats - n);
  const notes = [
    `extrapolated from a ${n}-chat sample: ${(msPerChat / 1000).toFixed(2)} s and ${requestsPerChat.toFixed(2)} requests per chat after the burst`,
  ];
  const callsPerWindowAtPace = windowMs / msPerChat;
  if (callsPerWindowAtPace >= callsPerWindow) {
    notes.push(
      `warning: the pace (${callsPerWindowAtPace.toFixed(0)} calls per window) reaches the operating budget; the extrapolation is optimistic`,
    );
  }
  const failedShare = sample.failed / n;
  return {
    ...sample,
    chats,
    elapsedMs: last.doneAtMs + remaining * msPerChat,
    requests: Math.round(sample.requests + remaining * requestsPerChat),
    failed: Math.round(failedShare * chats),
    failedByLimits: Math.round((sample.failedByLimits / n) * chats),
    doubled: Math.round((sample.doubled / n) * chats),
    queryLimitHits: Math.round(sample.queryLimitHits + remaining * (requestsPerChat - 1)),
    sample: { chats: n, elapsedMs: last.doneAtMs, requests: sample.requests },
    notes: [...notes, ...sample.notes],
  };
}
