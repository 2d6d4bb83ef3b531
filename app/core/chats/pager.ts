// Offset paging that grows: the first page is one call, then each request carries twice as many pages inside one
// `batch` (up to 50), so 20,000 rows take a handful of HTTP requests while a short list costs one call.
import type { BatchCommand, Bitrix24Client } from '../bitrix24/types.ts';

export interface Page<T> {
  items: T[];
  more: boolean;
}

export interface PagerOptions<T> {
  method: string;
  pageSize: number;
  /** The last offset the method accepts (Session.list: 10,000); paging stops there with `exhausted: false`. */
  maxOffset: number;
  params(offset: number): Record<string, unknown>;
  read(result: unknown): Page<T>;
  signal?: AbortSignal;
}

export interface PagerResult<T> {
  items: T[];
  /** False when the portal still had pages past `maxOffset`. */
  exhausted: boolean;
  requests: number;
}

const MAX_BATCH = 50;

export async function pageThrough<T>(client: Bitrix24Client, options: PagerOptions<T>): Promise<PagerResult<T>> {
  const items: T[] = [];
  let offset = 0;
  let span = 1;
  let requests = 0;
  for (;;) {
    const offsets: number[] = [];
    for (let i = 0; i < span && offset <= options.maxOffset; i++, offset += options.pageSize) offsets.push(offset);
    const pages = await fetchPages(client, options, offsets);
    requests++;
    for (const page of pages) {
      items.push(...page.items);
      if (!page.more) return { items, exhausted: true, requests };
    }
    if (offset > options.maxOffset) return { items, exhausted: false, requests };
    span = Math.min(span * 2, MAX_BATCH);
  }
}

async function fetchPages<T>(client: Bitrix24Client, options: PagerOptions<T>, offsets: number[]): Promise<Page<T>[]> {
  const commands: BatchCommand[] = offsets.map((offset) => ({
    key: `p${offset}`,
    method: options.method,
    params: options.params(offset),
  }));
  const { pages } = await fetchPageResults(client, commands, { signal: options.signal });
  return pages.map((page) => options.read(resultOf(page)));
}

export interface PageFetchOptions {
  signal?: AbortSignal;
  /** Called before each request leaves (a run counts its requests and may refuse to send). */
  beforeSend?: () => void;
}

/** A page's answer, or why there is none (thrown by `resultOf` when the page is read). */
export type PageAnswer = { result: unknown } | { error: unknown };

/** The page's result; a page the portal refused, or never ran, throws its error. */
export function resultOf(page: PageAnswer): unknown {
  if ('error' in page) throw page.error;
  return page.result;
}

/** The answers to page commands, in their order: one page as a plain call, several in one batch. */
export async function fetchPageResults(
  client: Bitrix24Client,
  commands: readonly BatchCommand[],
  { signal, beforeSend }: PageFetchOptions = {},
): Promise<{ pages: PageAnswer[]; requests: number }> {
  if (commands.length === 1) {
    const [command] = commands as [BatchCommand];
    beforeSend?.();
    const { result } = await client.call(command.method, command.params, { idempotent: true, signal });
    return { pages: [{ result }], requests: 1 };
  }
  const report = await client.batch(commands, { idempotent: true, signal, beforeSend });
  const pages = commands.map(({ key, method }): PageAnswer => {
    const outcome = report.outcomes.get(key);
    if (!outcome)
      return { error: report.stoppedBy ?? new Error(`The portal did not answer page ${key} of ${method}.`) };
    if (outcome.status === 'failed') return { error: outcome.error };
    if (outcome.status === 'not-sent') return { error: outcome.reason };
    return { result: outcome.result };
  });
  return { pages, requests: report.requests };
}
