// Electron IPC over the shared dispatcher: one `ipcMain.handle` per contract channel (prefix `openlines:`), every
// message's sender checked before its input is even looked at, and events forwarded to the app's windows.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNEL_NAMES, type EventName, IPC_PREFIX, type IpcResult } from '../contract/index.ts';
import type { Dispatch } from '../handlers/dispatcher.ts';
import { APP_CODES } from '../handlers/handler-error.ts';
import { checkSender, isAppUrl, type SenderInfo } from './security.ts';

/** Handles one message: the sender check first, then the dispatcher (which validates the input). */
export async function handleIpcMessage(
  dispatch: Dispatch,
  sender: SenderInfo,
  channel: string,
  input: unknown,
  log: (line: string) => void = () => {},
): Promise<IpcResult<unknown>> {
  const verdict = checkSender(sender);
  if (!verdict.ok) {
    log(`refused an IPC message on ${channel.slice(0, 64)}: ${verdict.reason}`);
    return {
      ok: false,
      error: {
        code: APP_CODES.forbiddenSender,
        category: 'forbidden-sender',
        message: 'This request did not come from the console window.',
        retryable: false,
      },
    };
  }
  return dispatch(channel, input);
}

export function senderInfo(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): SenderInfo {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url,
    isMainFrame: frame !== null && frame !== undefined && frame === event.sender.mainFrame,
  };
}

/** Registers every channel; returns a function that removes them. */
export function registerIpc(ipcMain: IpcMain, dispatch: Dispatch, log: (line: string) => void): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, (event, input: unknown) =>
      handleIpcMessage(dispatch, senderInfo(event), channel, input, log),
    );
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(`${IPC_PREFIX}${channel}`);
  };
}

/** Sends an event to every live window that shows the app (never to a page that navigated elsewhere). */
export function forwardEvent(targets: readonly WebContents[], event: EventName, payload: unknown): void {
  for (const contents of targets) {
    if (contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
    contents.send(`${IPC_PREFIX}${event}`, payload);
  }
}
