// What the bulk-restart pieces share across the page: the profile, the run on screen, and the dialog's opener.
import { createContext, useContext } from 'react';

/** The chats a bulk restart is asked for, before the main process has checked them. */
export type ChatChoice =
  | { kind: 'ids'; chatIds: readonly number[]; description: string }
  | { kind: 'text'; text: string; fileName?: string }
  | { kind: 'paste' };

export interface BulkContextValue {
  profileId: string;
  /** The run shown in the run panel, if any. */
  currentRunId: string | null;
  showRun(runId: string): void;
  openDialog(choice: ChatChoice): void;
}

export const BulkContext = createContext<BulkContextValue | null>(null);

export function useBulk(): BulkContextValue {
  const value = useContext(BulkContext);
  if (!value) throw new Error('useBulk() is used outside <BulkWorkspace>.');
  return value;
}
