// `openlines profiles add`: a new profile; a webhook's portal and user id may come from the piped webhook URL.
import type { ProfileSecret } from '../../core/keychain/profile-secrets.ts';
import { splitWebhookUrl } from '../../core/profiles/address.ts';
import { ProfileValidationError } from '../../core/profiles/errors.ts';
import type { ProfileDraft, ProfileStore } from '../../core/profiles/profile-store.ts';
import { UsageError } from '../command.ts';
import { forbidFlags, noExtraArguments, positiveInt } from '../shared/arguments.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { readOAuthSecret, readSecretText } from '../shared/input.ts';
import { authKind, commonFields, normalizedPortal } from './fields.ts';
import type { Values } from './options.ts';
import { emit, flushNotices, listingJson, type ProfileOutput } from './output.ts';

export async function add(store: ProfileStore, values: Values, rest: string[], out: ProfileOutput): Promise<number> {
  noExtraArguments(rest, 'add');
  forbidFlags(values, ['no-ca', 'set-secret', 'force'], 'add');
  if (!values.name) throw new UsageError('add needs --name NAME.');
  const kind = authKind(values);
  let draft: ProfileDraft = {
    name: values.name,
    portal: values.portal ?? '',
    auth: kind === 'webhook' ? { kind, userId: 0 } : { kind, clientId: values['client-id'] ?? '' },
    ...(await commonFields(values)),
  };
  if (values.id) draft.id = values.id;
  let secret: ProfileSecret | undefined;
  if (kind === 'webhook') {
    const userId = values['user-id'] === undefined ? undefined : positiveInt(values['user-id'], '--user-id');
    if (values['no-secret']) {
      if (!values.portal || userId === undefined) {
        throw new UsageError(
          'add --no-secret needs --portal and --user-id (there is no webhook URL to take them from).',
        );
      }
      draft.auth = { kind, userId };
    } else {
      const text = await readSecretText('Inbound webhook URL (or its code): ');
      if (/^[A-Za-z0-9_-]+$/.test(text)) {
        if (!values.portal || userId === undefined) {
          throw new UsageError('With only the webhook code, give --portal and --user-id too (or enter the whole URL).');
        }
        draft.auth = { kind, userId };
        secret = { kind: 'webhook', code: text };
      } else {
        const parts = splitWebhookUrl(text);
        if (!parts.ok) throw new ProfileValidationError([{ field: 'webhook URL', reason: parts.reason }]);
        if (values.portal && normalizedPortal(values.portal) !== parts.value.portal) {
          throw new UsageError('--portal names another portal than the webhook URL; leave --portal out.');
        }
        if (userId !== undefined && userId !== parts.value.userId) {
          throw new UsageError('--user-id differs from the user id in the webhook URL; leave --user-id out.');
        }
        draft = { ...draft, portal: parts.value.portal, auth: { kind, userId: parts.value.userId } };
        secret = { kind: 'webhook', code: parts.value.code };
      }
    }
  } else {
    draft.auth = {
      kind,
      clientId: values['client-id'] ?? '',
      ...(values['client-endpoint'] ? { clientEndpoint: values['client-endpoint'] } : {}),
      ...(values['token-url'] ? { tokenUrl: values['token-url'] } : {}),
    };
    if (!values['no-secret']) secret = await readOAuthSecret();
  }
  const profile = await store.add(draft, secret);
  if (values.default) await store.setDefault(profile.id);
  const listing = (await store.list()).find((l) => l.profile.id === profile.id)!;
  if (out.json) return emit(store, out, { profile: listingJson(listing) });
  flushNotices(store, out);
  console.log(`Added profile "${profile.name}" (${profile.id}) for ${new URL(profile.portal).host}.`);
  console.log(
    secret
      ? 'Its secret is in the OS keychain. Run `openlines profiles check` to test the connection.'
      : 'It has no secret yet; you will be asked for it on first use (or run `openlines profiles edit … --set-secret`).',
  );
  if (listing.isDefault) console.log('It is the default profile.');
  return EXIT.ok;
}
