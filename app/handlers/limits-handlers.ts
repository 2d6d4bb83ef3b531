// `limits.*`: the portal's request bucket and operating budgets as the profile's client sees them now.
import type { NamespaceHandlers } from './context.ts';
import type { AppServices } from './services.ts';

export function createLimitsHandlers(services: AppServices): NamespaceHandlers<'limits'> {
  return {
    'limits.get': async ({ profileId }) => (await services.clientFor(profileId)).limits.snapshot(),
  };
}
