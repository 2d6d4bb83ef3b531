// Every channel of the contract, implemented once, one file per namespace. The transports (Electron IPC, the browser
// host) only check the sender, then hand the raw input to the dispatcher, which validates it and calls the handler.
import { createAppHandlers } from './app-handlers.ts';
import { createCacheHandlers } from './cache-handlers.ts';
import { createChatsHandlers } from './chats-handlers.ts';
import { createConnectionHandlers } from './connection-handlers.ts';
import type { HandlerTable, RunsHandlers } from './context.ts';
import { createLimitsHandlers } from './limits-handlers.ts';
import { createProfilesHandlers } from './profiles-handlers.ts';
import type { AppServices } from './services.ts';
import { createSessionsHandlers } from './sessions-handlers.ts';

export function createHandlerTable(services: AppServices, runs: RunsHandlers): HandlerTable {
  return {
    ...createAppHandlers(services),
    ...createProfilesHandlers(services),
    ...createConnectionHandlers(services),
    ...createChatsHandlers(services),
    ...createSessionsHandlers(services),
    ...createLimitsHandlers(services),
    ...createCacheHandlers(services),
    ...runs,
  };
}
