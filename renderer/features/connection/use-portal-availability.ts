// Whether actions that need the portal can run now, and why not: the newest evidence wins, from the connection
// check, the chat list's last fetch and the link to the console host.
import { useQuery } from '@tanstack/react-query';
import { isBridgeError } from '../../bridge/index.ts';
import { chatListOptions } from '../chats/chat.keys.ts';
import { useChatScope } from '../chats/chat-scope.ts';
import { connectionOptions } from './connection.keys.ts';
import { useTransportState } from './use-transport-state.ts';

export type UnavailableKind = 'host' | 'unreachable' | 'auth' | 'blocked';

export interface PortalAvailability {
  available: boolean;
  /** What is wrong while unavailable: the console host is gone, the portal does not answer, refuses us, or blocks us. */
  kind: UnavailableKind | null;
  /** Why actions that need the portal are disabled, in words; null while available. */
  reason: string | null;
  /** When the chat list was last fetched successfully (0 if never). */
  dataUpdatedAt: number;
}

/** The id of the element holding the reason, for aria-describedby on disabled actions. */
export const PORTAL_UNAVAILABLE_REASON_ID = 'portal-unavailable-reason';

const DOWN_CATEGORIES = new Set(['unreachable', 'blocked', 'reauth']);

export function usePortalAvailability(profileId: string): PortalAvailability {
  const transport = useTransportState();
  const connection = useQuery(connectionOptions(profileId));
  const scope = useChatScope(profileId);
  const list = useQuery(chatListOptions(profileId, scope));

  if (transport !== 'open') {
    return {
      available: false,
      kind: 'host',
      reason: 'The console host is not connected; reconnecting by itself.',
      dataUpdatedAt: list.dataUpdatedAt,
    };
  }

  let downAt = 0;
  let upAt = list.dataUpdatedAt;
  let reason: string | null = null;
  let kind: UnavailableKind = 'unreachable';
  if (list.error && isBridgeError(list.error) && DOWN_CATEGORIES.has(list.error.category)) {
    downAt = list.errorUpdatedAt;
    reason = list.error.message;
    kind = kindOfCategory(list.error.category);
  }
  const state = connection.data;
  if (state) {
    const checkedAt = state.checkedAt ?? connection.dataUpdatedAt;
    if (state.state === 'online') upAt = Math.max(upAt, checkedAt);
    else if (state.state !== 'unknown' && checkedAt >= downAt) {
      downAt = checkedAt;
      reason = state.message ?? connectionStateText(state.state);
      kind = state.state === 'auth-failed' ? 'auth' : state.state === 'blocked' ? 'blocked' : 'unreachable';
    }
  }
  if (connection.error && isBridgeError(connection.error) && DOWN_CATEGORIES.has(connection.error.category)) {
    if (connection.errorUpdatedAt >= downAt) {
      downAt = connection.errorUpdatedAt;
      reason = connection.error.message;
      kind = kindOfCategory(connection.error.category);
    }
  }
  const available = downAt === 0 || upAt > downAt;
  return {
    available,
    kind: available ? null : kind,
    reason: available ? null : (reason ?? 'The portal does not answer.'),
    dataUpdatedAt: list.dataUpdatedAt,
  };
}

function kindOfCategory(category: string): UnavailableKind {
  return category === 'reauth' ? 'auth' : category === 'blocked' ? 'blocked' : 'unreachable';
}

export function connectionStateText(state: string): string {
  switch (state) {
    case 'online':
      return 'Online';
    case 'unreachable':
      return 'Unreachable';
    case 'auth-failed':
      return 'Sign-in refused';
    case 'blocked':
      return 'Blocked by the portal';
    default:
      return 'Checking…';
  }
}
