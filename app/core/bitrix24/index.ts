// The Bitrix24 engine's public API: everything outside app/core/bitrix24 imports from here.
export { BATCH_MAX_COMMANDS, toPhpQuery } from './batch.ts';
export { createBitrix24Client } from './client.ts';
export { systemClock } from './clock.ts';
export { parseId } from './envelope.ts';
export {
  Bitrix24Error,
  type Bitrix24ErrorInit,
  CLIENT_CODES,
  classify,
  codeIs,
  type ErrorCategory,
  isBitrix24Error,
} from './errors.ts';
export { LeakyBucket } from './leaky-bucket.ts';
export { DEFAULT_TOKEN_URL } from './oauth.ts';
export {
  type EndpointAddress,
  isLoopbackHost,
  parseClientEndpoint,
  parseWebhookUrl,
  safePortalLabel,
  type WebhookAddress,
} from './portal-address.ts';
export { redact } from './redact.ts';
export * from './types.ts';
