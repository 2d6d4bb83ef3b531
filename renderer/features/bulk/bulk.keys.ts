// Bulk restarts only write (a preview is kept by the main process under its id, a start begins a run): the keys
// name their mutations; the runs they create live under runKeys (renderer/features/runs/run.keys.ts).
export const bulkKeys = {
  all: (profileId: string) => ['bulk', profileId] as const,
  preview: (profileId: string) => [...bulkKeys.all(profileId), 'preview'] as const,
  start: (profileId: string) => [...bulkKeys.all(profileId), 'start'] as const,
};
