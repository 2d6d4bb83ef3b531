// `connection.*`: what the console last learnt about a profile's portal (pushed as `connection.changed` too).
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

export function createConnectionHandlers(services: AppServices): NamespaceHandlers<'connection'> {
  return {
    'connection.get': async ({ profileId }) => {
      await services.profile(profileId);
      return services.connection(profileId);
    },
  };
}
