// The query cache persisted per profile through the cache.load / cache.save channels. Only chat data of that
// profile is written (never a profile, never a secret), and the save is throttled: the list can be 20,000 rows.
import type { PersistedClient, Persister } from '@tanstack/react-query-persist-client';
import type { ConsoleApi } from '../bridge/index.ts';

export const CACHE_BUSTER = 'open-lines-console/cache-v1';
const SAVE_THROTTLE_MS = 1000;

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

/** A persisted query keeps its data but not a failed fetch: the cache is what was last known to be true. */
function withoutFailures(client: PersistedClient): PersistedClient {
  return {
    ...client,
    clientState: {
      mutations: [],
      queries: client.clientState.queries.map((query) => ({
        ...query,
        state: { ...query.state, status: 'success', error: null, fetchStatus: 'idle', fetchFailureReason: null },
      })),
    },
  };
}

export function createProfilePersister(api: ConsoleApi, profileId: string): Persister {
  let latest: PersistedClient | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function flush() {
    timer = null;
    const client = latest;
    latest = null;
    if (!client) return;
    try {
      await api.call('cache.save', { profileId, data: JSON.stringify(withoutFailures(client)) });
    } catch (error) {
      // The host may be restarting; the next cache change saves again.
      console.warn('Open Lines Console: the chat cache was not saved:', error);
    }
  }

  return {
    persistClient(client) {
      latest = client;
      if (timer === null) timer = setTimeout(flush, SAVE_THROTTLE_MS);
    },
    async restoreClient() {
      const { data } = await api.call('cache.load', { profileId });
      if (!data) return undefined;
      try {
        const parsed: unknown = JSON.parse(data);
        return isPersistedClient(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    async removeClient() {
      latest = null;
      await api.call('cache.save', { profileId, data: '' });
    },
  };
}
