// `chats.*`: the open-line chats of a profile's portal and one chat's detail.
import { readChatDetail } from '../core/chats/index.ts';
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

export function createChatsHandlers(services: AppServices): NamespaceHandlers<'chats'> {
  return {
    'chats.list': async ({ profileId, scope }) => (await services.chatsFor(profileId)).list(services.signal, scope),
    'chats.detail': async ({ profileId, chatId }) =>
      readChatDetail(await services.clientFor(profileId), chatId, services.signal),
  };
}
