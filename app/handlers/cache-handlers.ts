// `cache.*`: the renderer's query cache of a profile, kept in its cache folder so the last chats show offline.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteFile } from '../core/data-folder.ts';
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

const CACHE_FILE = 'query-cache.json';

export function createCacheHandlers(services: AppServices): NamespaceHandlers<'cache'> {
  const cacheFile = (profileId: string) => path.join(services.paths.cacheDir(profileId), CACHE_FILE);
  return {
    'cache.load': async ({ profileId }) => {
      await services.profile(profileId);
      try {
        return { data: await readFile(cacheFile(profileId), 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: null };
        throw error;
      }
    },
    'cache.save': async ({ profileId, data }) => {
      await services.profile(profileId);
      await atomicWriteFile(cacheFile(profileId), data);
      return {};
    },
  };
}
