// What the run pieces share across the page: the profile, the run on screen, and the dialog's opener.
import { createContext, useContext } from 'react';

/** The chats a new run is asked for, before the main process has checked them. */
export type ChatChoice =
  | { kind: 'ids'; chatIds: readonly number[]; description: string }
  | { kind: 'text'; text: string; fileName?: string }
  | { kind: 'paste' };

export interface RunWorkspaceValue {
  profileId: string;
  /** The run shown in the run panel, if any. */
  currentRunId: string | null;
  showRun(runId: string): void;
  openDialog(choice: ChatChoice): void;
}

export const RunWorkspaceContext = createContext<RunWorkspaceValue | null>(null);

export function useRunWorkspace(): RunWorkspaceValue {
  const value = useContext(RunWorkspaceContext);
  if (!value) throw new Error('useRunWorkspace() is used outside <RunWorkspace>.');
  return value;
}
