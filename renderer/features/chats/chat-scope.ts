// Which chats the list holds (the working view's closed days, or a history range), per profile for this window:
// the chats view and everything else that watches the chat list read the same query.
import { useSyncExternalStore } from 'react';
import { type ChatScope, DEFAULT_CHAT_SCOPE } from '../../../app/contract/index.ts';

const scopes = new Map<string, ChatScope>();
const listeners = new Set<() => void>();

export function chatScopeOf(profileId: string): ChatScope {
  return scopes.get(profileId) ?? DEFAULT_CHAT_SCOPE;
}

export function setChatScope(profileId: string, scope: ChatScope): void {
  scopes.set(profileId, scope);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useChatScope(profileId: string): ChatScope {
  return useSyncExternalStore(
    subscribe,
    () => chatScopeOf(profileId),
    () => chatScopeOf(profileId),
  );
}
