// The sandboxed bridge: `window.openlines` with one function per contract channel and one subscription per event,
// nothing else. The renderer never sees ipcRenderer, the Electron event object, or a channel outside the contract.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { type Bridge, CHANNEL_NAMES, EVENT_NAMES, IPC_PREFIX } from '../contract/index.ts';

export function createBridge(): Bridge {
  const invoke = Object.fromEntries(
    CHANNEL_NAMES.map((channel) => [channel, (input: unknown) => ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, input)]),
  );
  const on = Object.fromEntries(
    EVENT_NAMES.map((event) => [
      event,
      (listener: (payload: unknown) => void) => {
        // Strip the Electron event: the renderer gets the payload only.
        const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
        ipcRenderer.on(`${IPC_PREFIX}${event}`, relay);
        return () => {
          ipcRenderer.removeListener(`${IPC_PREFIX}${event}`, relay);
        };
      },
    ]),
  );
  // Built from the contract's own lists; preload.test.ts proves every channel and event is present.
  return Object.freeze({ invoke: Object.freeze(invoke), on: Object.freeze(on) }) as unknown as Bridge;
}

contextBridge.exposeInMainWorld('openlines', createBridge());
