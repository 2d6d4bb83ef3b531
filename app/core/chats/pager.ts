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
  if (offsets.length === 1) {
    const { result } = await client.call(options.method, options.params(offsets[0]!), {
      idempotent: true,
      signal: options.signal,
    });
    return [options.read(result)];
  }
  const commands: BatchCommand[] = offsets.map((offset) => ({
    key: `p${offset}`,
    method: options.method,
    params: options.params(offset),
  }));
  const report = await client.batch(commands, { idempotent: true, signal: options.signal });
  return commands.map(({ key }) => {
    const outcome = report.outcomes.get(key);
    if (!outcome) throw report.stoppedBy ?? new Error(`The portal did not answer page ${key} of ${options.method}.`);
    if (outcome.status === 'failed') throw outcome.error;
    if (outcome.status === 'not-sent') throw outcome.reason;
    return options.read(outcome.result);
  });
}
