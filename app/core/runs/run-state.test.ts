import { describe, expect, it } from 'vitest';
import type { JournalRecord, RunHeader } from './journal.ts';
import { RunState } from './run-state.ts';

const header: RunHeader = {
  t: 'header',
  v: 1,
  runId: '20260101-000000-abcd',
  profileId: 'demo',
  profileName: 'Demo',
  portal: '127.0.0.1:1',
  mode: 'restart',
  plan: null,
  chatIds: [1, 2, 3],
  invalid: [],
  duplicates: 0,
  requestLimitMs: 65_000,
  retryOf: null,
  createdAt: 1_000,
};

describe('RunState.replay', () => {
  it('takes the latest deadline of a write still in flight, and ignores one written after its answer', () => {
    const records: JournalRecord[] = [
      header,
      { t: 'sent', at: 2_000, step: 'finish', until: 67_000, c: [1, 2, 3], req: 1, hits: 0 },
      { t: 'ok', at: 3_000, step: 'finish', c: [1] },
      { t: 'ext', at: 40_000, until: 140_000, c: [1, 2] },
      { t: 'ext', at: 41_000, until: 90_000, c: [2] },
    ];
    const state = RunState.replay(records);
    const [one, two, three] = [1, 2, 3].map((id) => state.chats.get(id)!);
    expect(one).toMatchObject({ state: 'pending', closed: true, inFlight: null });
    expect(two).toMatchObject({ state: 'sent', uncertain: true, inFlight: { step: 'finish', until: 140_000 } });
    expect(three).toMatchObject({ state: 'sent', uncertain: true, inFlight: { step: 'finish', until: 67_000 } });
    expect(state.requests).toBe(1);
  });
});
