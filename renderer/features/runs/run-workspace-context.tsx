// What the run pieces share across the page: the profile, the run on screen, and the dialog's opener.
import { createContext, useContext } from 'react';
import type { RunMode } from '../../../app/contract/index.ts';

/** The chats a new run is asked for, before the main process has checked them. */
export type ChatChoice =
  | {
      kind: 'ids';
      chatIds: readonly number[];
      description: string;
      /** What the chats are, as listed (the preview shows the first ones by name). */
      chats?: ReadonlyArray<{ chatId: number; visitor: string; lineName: string }>;
      /** A retry of an ended run's failed chats: its mode is that run's. */
      retry?: { runId: string; mode: RunMode };
    }
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
