// The ONE module that touches the transport. In Electron the preload exposes `window.openlines`; in a browser the
// page talks to the browser host over its WebSocket. Either way the rest of the renderer gets typed calls that
// resolve with the channel's output or throw a BridgeError.
import {
  type Bridge,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  channels,
  type EventName,
  type EventPayload,
  events,
  type IpcResult,
} from '../../app/contract/index.ts';
import { BridgeError, hostUnreachable } from './bridge-error.ts';
import { connectSocketBridge, type TransportState, takeHostToken } from './socket-bridge.ts';

export { BridgeError, hostUnreachable, isBridgeError, isUnreachable } from './bridge-error.ts';
export type { TransportState } from './socket-bridge.ts';

declare global {
  interface Window {
    openlines?: Bridge;
  }
}

export interface ConsoleApi {
  readonly transport: 'electron' | 'browser';
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  transportState(): TransportState;
  onTransportState(listener: (state: TransportState) => void): () => void;
}

function unwrap<C extends ChannelName>(channel: C, result: IpcResult<unknown>): ChannelOutput<C> {
  if (!result.ok) throw new BridgeError(result.error);
  // The host validates its answers too; checking here keeps a mismatched host from reaching the UI untyped.
  const parsed = channels[channel].output.safeParse(result.data);
  if (!parsed.success) {
    throw new BridgeError({
      code: 'INVALID_RESPONSE',
      category: 'internal',
      message: `The console host answered ${channel} with data this version does not understand.`,
      retryable: false,
    });
  }
  return parsed.data as ChannelOutput<C>;
}

function fromBridge(
  bridge: Bridge,
  transport: ConsoleApi['transport'],
  state: () => TransportState,
  onState: ConsoleApi['onTransportState'],
): ConsoleApi {
  return {
    transport,
    async call(channel, input) {
      // Each channel's function is typed by the contract; indexing by a generic C widens it, hence the cast.
      const invoke = bridge.invoke[channel] as (input: unknown) => Promise<IpcResult<unknown>>;
      let result: IpcResult<unknown>;
      try {
        result = await invoke(input);
      } catch (error) {
        throw hostUnreachable(error instanceof Error ? error.message : String(error));
      }
      return unwrap(channel, result);
    },
    on(event, listener) {
      const subscribe = bridge.on[event] as (listener: (payload: unknown) => void) => () => void;
      return subscribe((payload) => {
        const parsed = events[event].safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<typeof event>);
      });
    },
    transportState: state,
    onTransportState: onState,
  };
}

function missingToken(): ConsoleApi {
  return {
    transport: 'browser',
    call: () =>
      Promise.reject(
        new BridgeError({
          code: 'HOST_TOKEN_MISSING',
          category: 'forbidden-sender',
          message: 'Open the console with the full address the host printed: it carries the #token that admits you.',
          retryable: false,
        }),
      ),
    on: () => () => {},
    transportState: () => 'reconnecting',
    onTransportState: () => () => {},
  };
}

let api: ConsoleApi | null = null;

export function getApi(): ConsoleApi {
  if (api) return api;
  if (window.openlines) {
    api = fromBridge(
      window.openlines,
      'electron',
      () => 'open',
      () => () => {},
    );
    return api;
  }
  const token = takeHostToken();
  if (!token) {
    api = missingToken();
    return api;
  }
  const socket = connectSocketBridge(token);
  api = fromBridge(socket.bridge, 'browser', socket.state, socket.onStateChange);
  return api;
}
