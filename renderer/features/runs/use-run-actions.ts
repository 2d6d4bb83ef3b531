// Pause, resume, cancel and export: each answer is the run's new progress, written into the cache
// at once; the lists and results are then invalidated and awaited so the view shows what the host holds.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RunProgress } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { downloadText } from './csv-download.ts';
import { runKeys, storeRunProgress } from './run.keys.ts';

export type RunAction = 'runs.pause' | 'runs.resume' | 'runs.cancel';

export function useRunAction(action: RunAction, onDone?: (run: RunProgress) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: [...runKeys.all, action],
    mutationFn: (runId: string) => getApi().call(action, { runId }),
    onSuccess: async (run, runId) => {
      storeRunProgress(client, run);
      onDone?.(run);
      await Promise.all([
        client.invalidateQueries({ queryKey: runKeys.lists() }),
        client.invalidateQueries({ queryKey: runKeys.result(runId) }),
        client.invalidateQueries({ queryKey: runKeys.result(run.runId) }),
      ]);
    },
    onError: async () => {
      // The run may have moved on (finished, or resumed elsewhere): show what the host holds now.
      await client.invalidateQueries({ queryKey: runKeys.lists() });
    },
  });
}

/** Asks the host for the run's results as CSV and hands them to the browser as a download. */
export function useExportCsv() {
  return useMutation({
    mutationKey: [...runKeys.all, 'runs.exportCsv'],
    mutationFn: async (runId: string) => {
      const { fileName, csv } = await getApi().call('runs.exportCsv', { runId });
      downloadText(fileName, csv, 'text/csv');
      return fileName;
    },
  });
}
