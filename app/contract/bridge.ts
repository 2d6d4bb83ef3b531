// The bridge the preload exposes (window.openlines) and the browser host's client implements: one function per
// channel, one subscription per event. Both must satisfy this type, so a missing or misspelt channel does not compile.
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './contract.ts';
import type { IpcResult } from './envelope.ts';

export type Bridge = {
  invoke: { [C in ChannelName]: (input: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>> };
  on: { [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void };
};

/** The prefix of every Electron IPC channel; the preload refuses anything else. */
export const IPC_PREFIX = 'openlines:';
