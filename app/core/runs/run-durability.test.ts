// Issue #9: a run the console said was started survives a power cut. Files are fsynced; so must be the directory
// entries that name them (the run folder in runs/, the journal in its run folder). Every fsync is recorded here by
// the path it was opened with.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const synced: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (file, ...rest) => {
    const handle = await actual.open(file, ...rest);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      await sync();
      synced.push(String(file));
    };
    return handle;
  };
  return { ...actual, open, default: { ...actual, open } };
});

const { JournalWriter, journalPath } = await import('./journal.ts');
const { createRunDir } = await import('./run-store.ts');

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-durable-'));
  synced.length = 0;
});
afterEach(() => rm(home, { recursive: true, force: true }));

it.skipIf(process.platform === 'win32')(
  'fsyncs the runs folder after making a run folder, and the run folder after creating its journal',
  async () => {
    const runsDir = path.join(home, 'runs');
    const runId = '20260101-000000-abcd';
    const dir = await createRunDir(runsDir, runId);
    expect(synced).toEqual([runsDir]);

    const writer = await JournalWriter.create(dir, {
      t: 'header',
      v: 1,
      runId,
      profileId: 'demo',
      profileName: 'Demo',
      portal: '127.0.0.1:1',
      mode: 'restart',
      plan: null,
      chatIds: [1],
      invalid: [],
      duplicates: 0,
      requestLimitMs: 65_000,
      retryOf: null,
      createdAt: 1_000,
    });
    await writer.close();
    // The header's bytes first, then the entry naming the file.
    expect(synced).toEqual([runsDir, journalPath(dir), dir]);
  },
);
