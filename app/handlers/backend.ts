// What a transport needs: the services, the dispatcher over the full handler table, and the event subscription.
// Electron's main process and the browser host each build one of these and differ only in how messages arrive.
import { createDispatcher, type Dispatch } from './dispatcher.ts';
import { createHandlerTable } from './handlers.ts';
import { createRunsHandlers } from './runs-handlers.ts';
import { AppServices, type ServicesOptions } from './services.ts';

export interface Backend {
  services: AppServices;
  dispatch: Dispatch;
  close(): Promise<void>;
}

export function createBackend(options: ServicesOptions): Backend {
  const services = new AppServices(options);
  const table = createHandlerTable(services, createRunsHandlers(services));
  const dispatch = createDispatcher(table, {
    knownSecrets: () => services.knownSecrets(),
    log: (line) => services.log(line),
  });
  return { services, dispatch, close: () => services.close() };
}
