// Portal profiles: what the desktop app, the browser host, the CLI and bulk runs import.
export { buildWebhookUrl, hostOf, parsePortalAddress, parseWebhookUrl } from './address.ts';
export {
  type CheckStatus,
  type ConnectionCheck,
  checkConnection,
  checkProfile,
  connectionStateOf,
  REQUIRED_SCOPES,
} from './connection-check.ts';
export { ProfileError, type ProfileErrorCode, ProfileValidationError, SecretMissingError } from './errors.ts';
export {
  type EditReport,
  type ExportReport,
  type ProfileDraft,
  type ProfileListing,
  type ProfilePatch,
  ProfileStore,
  type ProfileStoreOptions,
  provisioningSummary,
  type RemovalReport,
  type SecretState,
  type StoreNotice,
  webhookSecretFor,
} from './profile-store.ts';
export type { ProvisioningReport, RejectedEntry } from './provisioning.ts';
export {
  clientOptionsFor,
  clientOptionsForProfile,
  enginePlan,
  type PortalSource,
  type ResolvedPortal,
  resolvePortal,
} from './resolve-portal.ts';
export type { DefaultFilters, Profile, ProfileAuth, ProfilePlan, SessionStatus } from './schema.ts';
