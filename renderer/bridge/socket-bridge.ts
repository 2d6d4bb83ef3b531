// The browser host's side of the bridge: one WebSocket speaking app/contract/host-protocol.ts, reconnecting by
// itself when the host goes away, and exposing the same `Bridge` type as the Electron preload.
import {
  type Bridge,
  CHANNEL_NAMES,
  type ChannelName,
  EVENT_NAMES,
  type EventName,
  HOST_SOCKET_PATH,
  hostMessageSchema,
  type IpcResult,
} from '../../app/contract/index.ts';

export type TransportState = 'connecting' | 'open' | 'reconnecting';

const TOKEN_STORAGE_KEY = 'openlines.hostToken';
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 3000;
/** How long a call waits for the socket to (re)open before it fails as unreachable. */
const OPEN_WAIT_MS = 4000;

/**
 * Takes the host token from `#token=…`, then removes it from the address bar (and so from history and bookmarks).
 * It is kept in sessionStorage so that reloading this tab still works; it never leaves the tab.
 */
export function takeHostToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    return token;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

type Pending = { resolve: (result: IpcResult<unknown>) => void };

export interface SocketBridge {
  bridge: Bridge;
  state(): TransportState;
  onStateChange(listener: (state: TransportState) => void): () => void;
}

export function connectSocketBridge(token: string): SocketBridge {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${HOST_SOCKET_PATH}?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: TransportState) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let state: TransportState = 'connecting';
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function setState(next: TransportState) {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  }

  function failAllPending(message: string) {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.resolve({
        ok: false,
        error: { code: 'HOST_UNREACHABLE', category: 'unreachable', message, retryable: true },
      });
    }
  }

  function onMessage(raw: unknown) {
    if (typeof raw !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const parsed = hostMessageSchema.safeParse(json);
    if (!parsed.success) return;
    const message = parsed.data;
    if ('id' in message) {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      call.resolve(message.result);
    } else {
      for (const listener of eventListeners.get(message.event) ?? []) listener(message.payload);
    }
  }

  function open() {
    retryTimer = null;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = FIRST_RETRY_MS;
      setState('open');
    });
    ws.addEventListener('message', (event) => onMessage(event.data));
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      failAllPending('The connection to the console host was lost before it answered.');
      setState('reconnecting');
      retryTimer = setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  function waitOpen(): Promise<WebSocket | null> {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    // A call made while waiting to reconnect tries at once rather than at the end of the backoff.
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      open();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(null);
      }, OPEN_WAIT_MS);
      const unsubscribe = subscribeState((next) => {
        if (next === 'open') {
          clearTimeout(timer);
          unsubscribe();
          resolve(socket);
        }
      });
    });
  }

  function subscribeState(listener: (state: TransportState) => void): () => void {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  }

  async function send(channel: ChannelName, input: unknown): Promise<IpcResult<unknown>> {
    const ws = await waitOpen();
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return {
        ok: false,
        error: {
          code: 'HOST_UNREACHABLE',
          category: 'unreachable',
          message: 'The console host is not answering. It reconnects by itself once the host runs again.',
          retryable: true,
        },
      };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      ws.send(JSON.stringify({ id, channel, input }));
    });
  }

  const invoke = Object.fromEntries(
    CHANNEL_NAMES.map((channel) => [channel, (input: unknown) => send(channel, input)]),
  ) as unknown as Bridge['invoke'];
  const on = Object.fromEntries(
    EVENT_NAMES.map((event: EventName) => [
      event,
      (listener: (payload: unknown) => void) => {
        let listeners = eventListeners.get(event);
        if (!listeners) {
          listeners = new Set();
          eventListeners.set(event, listeners);
        }
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
    ]),
  ) as unknown as Bridge['on'];

  open();
  return { bridge: { invoke, on }, state: () => state, onStateChange: subscribeState };
}
