// `app.*`: what the console runs on.
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

export function createAppHandlers(services: AppServices): NamespaceHandlers<'app'> {
  return {
    'app.info': async () => ({
      version: services.version,
      runtime: services.runtime,
      dataFolder: services.paths.root,
    }),
  };
}
