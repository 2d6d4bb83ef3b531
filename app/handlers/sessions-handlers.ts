// `sessions.*`: starting a session on one chat; the chat list forgets that chat so its next read is fresh.
import { startSession } from '../core/chats/index.ts';
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

export function createSessionsHandlers(services: AppServices): NamespaceHandlers<'sessions'> {
  return {
    'sessions.start': async ({ profileId, chatId }) => {
      const result = await startSession(await services.clientFor(profileId), chatId, services.signal);
      (await services.chatsFor(profileId)).forget(chatId);
      return result;
    },
  };
}
