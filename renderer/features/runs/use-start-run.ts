// Preview and start of a run. The preview sends nothing to the portal: the main process parses the chats,
// estimates the requests and the time, and keeps the checked list under a preview id that "Start run" uses.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RunMode, RunSource } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { runKeys, storeRunProgress } from './run.keys.ts';

export interface PreviewRequest {
  mode: RunMode;
  source: RunSource;
  skipInvalid: boolean;
  /** The ended run whose failed chats this run retries. */
  retryOf?: string;
}

export function usePreviewRun(profileId: string) {
  return useMutation({
    mutationKey: runKeys.preview(profileId),
    mutationFn: ({ mode, source, skipInvalid, retryOf }: PreviewRequest) =>
      getApi().call('runs.preview', { profileId, mode, source, skipInvalid, ...(retryOf ? { retryOf } : {}) }),
  });
}

export function useStartRun(profileId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: runKeys.start(profileId),
    mutationFn: (previewId: string) => getApi().call('runs.start', { previewId }),
    onSuccess: async (run) => {
      storeRunProgress(client, run);
      await client.invalidateQueries({ queryKey: runKeys.lists() });
    },
  });
}
