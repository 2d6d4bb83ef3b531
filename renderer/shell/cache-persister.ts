// The query cache persisted per profile through the cache.load / cache.save channels. Only chat data of that
// profile is written (never a profile, never a secret). Serializing 20,000 rows holds the main thread, so a save
// waits: never on the way to the first painted rows, at most one every few seconds, in idle time, and not at all
// while nothing that is persisted has changed.
import type { PersistedClient, Persister } from '@tanstack/react-query-persist-client';
import type { ConsoleApi } from '../bridge/index.ts';

export const CACHE_BUSTER = 'open-lines-console/cache-v1';
/** Shortest time between the starts of two saves. */
export const SAVE_INTERVAL_MS = 5_000;
/** A change waits at least this long, so the render it causes (new rows) is painted before the save starts. */
export const SAVE_DELAY_MS = 500;
/** A save that is due waits for idle time at most this long: a page that is never idle still saves. */
export const IDLE_TIMEOUT_MS = 3_000;

/** The clock and timers the persister schedules with; tests pass fakes. */
export interface SaveScheduler {
  now(): number;
  after(ms: number, callback: () => void): void;
  whenIdle(callback: () => void): void;
}

const browserScheduler: SaveScheduler = {
  now: () => Date.now(),
  after: (ms, callback) => {
    setTimeout(callback, ms);
  },
  whenIdle: (callback) => {
    // Safari has no requestIdleCallback; a task of its own still lets the pending frame paint first.
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => callback(), { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(callback, 0);
  },
};

/** Whether a query belongs in this profile's persisted cache. */
export function persistsForProfile(queryKey: readonly unknown[], profileId: string): boolean {
  return queryKey[0] === 'chats' && queryKey[1] === profileId;
}

function isPersistedClient(value: unknown): value is PersistedClient {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Partial<PersistedClient>;
  return (
    typeof client.timestamp === 'number' &&
    typeof client.buster === 'string' &&
    typeof client.clientState === 'object' &&
    client.clientState !== null &&
    Array.isArray(client.clientState.queries) &&
    Array.isArray(client.clientState.mutations)
  );
}

type DehydratedQuery = PersistedClient['clientState']['queries'][number];

/** What a save writes for a query: its data and when it was fetched. Fetch state and errors are not persisted. */
type QueryVersion = { hash: string; data: unknown; updatedAt: number };

function versionsOf(client: PersistedClient): QueryVersion[] {
  return client.clientState.queries.map((query) => ({
    hash: query.queryHash,
    data: query.state.data,
    updatedAt: query.state.dataUpdatedAt,
  }));
}

function sameVersions(a: readonly QueryVersion[], b: readonly QueryVersion[]): boolean {
  return (
    a.length === b.length &&
    a.every((version, index) => {
      const other = b[index];
      return (
        other !== undefined &&
        version.hash === other.hash &&
        version.data === other.data &&
        version.updatedAt === other.updatedAt
      );
    })
  );
}

/**
 * Serializes the cache as JSON. Query data is immutable and structurally shared, so an unchanged list keeps its
 * reference across refetches: its text is kept per reference and reused, and a refetch that changed nothing but
 * the time costs a concatenation rather than serializing 20,000 rows again.
 */
function createSerializer(): (client: PersistedClient) => string {
  const dataText = new WeakMap<object, string>();

  function serializeData(data: unknown): string {
    if (typeof data !== 'object' || data === null) return JSON.stringify(data) ?? 'null';
    let text = dataText.get(data);
    if (text === undefined) {
      text = JSON.stringify(data);
      dataText.set(data, text);
    }
    return text;
  }

  function serializeQuery({ state, ...query }: DehydratedQuery): string {
    // A persisted query keeps its data but not a failed fetch: the cache is what was last known to be true.
    const { data, ...rest } = state;
    const stateRest = JSON.stringify({
      ...rest,
      status: 'success',
      error: null,
      fetchStatus: 'idle',
      fetchFailureReason: null,
    }).slice(1);
    const queryRest = JSON.stringify(query).slice(1);
    return `{"state":{"data":${serializeData(data)},${stateRest}${queryRest === '}' ? '}' : `,${queryRest}`}`;
  }

  return (client) => {
    const head = JSON.stringify({ buster: client.buster, timestamp: client.timestamp }).slice(0, -1);
    const queries = client.clientState.queries.map(serializeQuery).join(',');
    return `${head},"clientState":{"mutations":[],"queries":[${queries}]}}`;
  };
}

export function createProfilePersister(
  api: ConsoleApi,
  profileId: string,
  scheduler: SaveScheduler = browserScheduler,
): Persister {
  const serialize = createSerializer();
  let latest: PersistedClient | null = null;
  let scheduled = false;
  let lastSaveAt = Number.NEGATIVE_INFINITY;
  /** What the profile's cache file holds as far as this persister knows; nothing yet is "no query". */
  let saved: QueryVersion[] = [];

  async function save() {
    scheduled = false;
    const client = latest;
    latest = null;
    if (!client) return;
    const versions = versionsOf(client);
    if (sameVersions(versions, saved)) return;
    lastSaveAt = scheduler.now();
    try {
      await api.call('cache.save', { profileId, data: serialize(client) });
      saved = versions;
    } catch (error) {
      // The host may be restarting; the next cache change saves again.
      console.warn('Open Lines Console: the chat cache was not saved:', error);
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(SAVE_DELAY_MS, lastSaveAt + SAVE_INTERVAL_MS - scheduler.now());
    scheduler.after(wait, () => scheduler.whenIdle(() => void save()));
  }

  return {
    persistClient(client) {
      // Called on every cache event with the dehydrated cache (references, no copies): keep the newest only.
      latest = client;
      schedule();
    },
    async restoreClient() {
      const { data } = await api.call('cache.load', { profileId });
      if (!data) return undefined;
      try {
        const parsed: unknown = JSON.parse(data);
        if (!isPersistedClient(parsed)) return undefined;
        // Hydrating keeps these references, so the restored cache is not saved straight back.
        saved = versionsOf(parsed);
        return parsed;
      } catch {
        return undefined;
      }
    },
    async removeClient() {
      latest = null;
      saved = [];
      await api.call('cache.save', { profileId, data: '' });
    },
  };
}
