// Session STATUS integers (fact sheet §7.1) and imopenlines.v2 status names (§7.4), mapped to the contract's names.
import type { SessionStatus } from '../../contract/index.ts';

const BY_CODE: ReadonlyMap<number, SessionStatus> = new Map([
  [0, 'new'],
  [5, 'skipped'],
  [10, 'answered'],
  [20, 'client-waiting'],
  [25, 'client-waiting'],
  [40, 'operator-replied'],
  [50, 'closing'],
  [60, 'closed'],
  [65, 'spam'],
  [69, 'closed'],
  [75, 'closed'],
]);

// imopenlines.v2.Session.list speaks in names; `paused` is a pinned dialog an operator holds.
const BY_V2_NAME: ReadonlyMap<string, SessionStatus> = new Map([
  ['new', 'new'],
  ['answered', 'answered'],
  ['paused', 'answered'],
  ['closed', 'closed'],
  ['spam', 'spam'],
]);

/** Maps a STATUS integer (or numeric string) or a v2 status name; null when the portal sent something unknown. */
export function sessionStatusOf(value: unknown): SessionStatus | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const code = Number(value);
    const known = BY_CODE.get(code);
    if (known) return known;
    // Unknown codes keep the documented ranges: ≥ 60 is closed.
    return code >= 60 ? 'closed' : null;
  }
  if (typeof value === 'string') return BY_V2_NAME.get(value.toLowerCase()) ?? null;
  return null;
}

/** Open sessions are those below "closed". */
export function isActiveStatus(status: SessionStatus): boolean {
  return status !== 'closed' && status !== 'spam';
}

/** Statuses where the client waits for an operator. */
export function isWaitingStatus(status: SessionStatus): boolean {
  return status === 'new' || status === 'skipped' || status === 'client-waiting';
}
