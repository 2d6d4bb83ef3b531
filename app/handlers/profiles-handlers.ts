// `profiles.*`: list, pick, add, rename, give a secret, remove, import and check portals. The built-in demo profile
// and the portal of OPENLINES_WEBHOOK_URL are fixed: they cannot be changed.
import type { ProfileSummary } from '../contract/index.ts';
import { checkConnection, connectionStateOf } from '../core/profiles/connection-check.ts';
import { webhookSecretFor } from '../core/profiles/profile-store.ts';
import type { NamespaceHandlers } from './context.ts';
import { HandlerError } from './handler-error.ts';
import { DEMO_PROFILE_ID } from './profile-summaries.ts';
import type { AppServices } from './services.ts';

export function createProfilesHandlers(services: AppServices): NamespaceHandlers<'profiles'> {
  const summaryOf = (profileId: string): Promise<ProfileSummary> => services.profile(profileId);
  const profilesChanged = () => services.emit('profiles.changed', {});
  const realProfile = (profileId: string) => {
    if (profileId === DEMO_PROFILE_ID || services.mode !== 'profiles') {
      throw new HandlerError({
        code: 'FIXED_PROFILE',
        category: 'bad-input',
        message:
          services.mode === 'env'
            ? 'The console runs on the portal of OPENLINES_WEBHOOK_URL; profiles cannot be changed in this mode.'
            : 'The demo portal is built in; profiles cannot be added, renamed, removed or given another secret here.',
      });
    }
  };

  return {
    'profiles.list': async () => ({
      profiles: await services.summaries(),
      activeProfileId: await services.activeProfileId(),
    }),
    'profiles.select': async ({ profileId }) => {
      const activeProfileId = await services.select(profileId);
      profilesChanged();
      return { activeProfileId };
    },
    'profiles.add': async (input) => {
      if (services.mode !== 'profiles') realProfile(DEMO_PROFILE_ID);
      if (input.saveUnchecked !== true) {
        // A webhook the portal refuses is not saved (nor made the one the console opens) unless asked.
        const check = await checkConnection(
          {
            credentials: { kind: 'webhook', webhookUrl: input.webhookUrl },
            ...(input.caCertificatePem ? { caCertificatePem: input.caCertificatePem } : {}),
          },
          { plan: input.plan, signal: services.signal },
        );
        if (check.status !== 'ok' && check.status !== 'missing-scopes') {
          throw new HandlerError({
            code: 'CONNECTION_CHECK_FAILED',
            category: 'bad-input',
            message: `${check.message} The portal was not added: fix the webhook URL, or save it without the check.`,
          });
        }
      }
      const profile = await services.store.addFromWebhookUrl({
        name: input.name,
        webhookUrl: input.webhookUrl,
        plan: input.plan,
        ...(input.caCertificatePem ? { caCertificatePem: input.caCertificatePem } : {}),
      });
      // The demo profile stands in only while no profile exists; its client is no longer wanted.
      await services.forget(DEMO_PROFILE_ID);
      profilesChanged();
      return summaryOf(profile.id);
    },
    'profiles.rename': async ({ profileId, name }) => {
      realProfile(profileId);
      await services.store.rename(profileId, name);
      profilesChanged();
      return summaryOf(profileId);
    },
    'profiles.setSecret': async ({ profileId, webhookUrl }) => {
      realProfile(profileId);
      const profile = await services.store.get(profileId);
      await services.store.setSecret(profile.id, webhookSecretFor(profile, webhookUrl));
      await services.forget(profile.id);
      profilesChanged();
      return summaryOf(profile.id);
    },
    'profiles.remove': async ({ profileId }) => {
      realProfile(profileId);
      const report = await services.store.remove(profileId);
      await services.forget(report.profile.id);
      profilesChanged();
      return { removed: report.profile.id };
    },
    'profiles.import': async ({ text }) => {
      if (services.mode !== 'profiles') realProfile(DEMO_PROFILE_ID);
      const report = await services.store.importProvisioningText(text, 'import from the console');
      if (report.imported.length > 0 || report.updated.length > 0) profilesChanged();
      return {
        imported: report.imported,
        updated: report.updated,
        secretDropped: report.secretDropped,
        rejected: report.rejected.map(({ index, field, reason }) => ({ index, field, reason })),
      };
    },
    'profiles.check': async ({ profileId }) => {
      const summary = await summaryOf(profileId);
      const check = await checkConnection(await services.clientOptionsFor(profileId), {
        plan: summary.plan,
        signal: services.signal,
      });
      const state = connectionStateOf(check);
      services.noteConnection(profileId, state, state === 'online' ? null : check.message);
      return {
        reachable: check.reachable,
        user: check.user,
        scopes: check.scopes,
        missingScopes: check.missingScopes,
        planHint: check.planHint,
        message: check.message,
      };
    },
  };
}
