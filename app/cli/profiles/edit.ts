// `openlines profiles edit NAME`: changes fields, the secret or the default; the id never changes.
import type { ProfilePatch, ProfileStore } from '../../core/profiles/profile-store.ts';
import type { Profile } from '../../core/profiles/schema.ts';
import { UsageError } from '../command.ts';
import { forbidFlags, onePositional } from '../shared/arguments.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { commonFields, editedAuth, readSecretFor } from './fields.ts';
import type { Values } from './options.ts';
import { emit, flushNotices, listingJson, type ProfileOutput } from './output.ts';

export async function edit(store: ProfileStore, values: Values, rest: string[], out: ProfileOutput): Promise<number> {
  const name = onePositional(rest, 'profiles edit NAME');
  forbidFlags(values, ['no-secret', 'force', 'id'], 'edit');
  const current = await store.get(name);
  const patch: ProfilePatch = {};
  if (values.name !== undefined) patch.name = values.name;
  if (values.portal !== undefined) patch.portal = values.portal;
  if (values.plan !== undefined) patch.plan = values.plan as Profile['plan'];
  const auth = editedAuth(current, values);
  if (auth) patch.auth = auth;
  if (values['no-ca'] && values['ca-file']) throw new UsageError('Give either --ca-file or --no-ca, not both.');
  if (values['no-ca']) patch.caCertificatePem = null;
  const fields = await commonFields(values);
  if (fields.caCertificatePem !== undefined) patch.caCertificatePem = fields.caCertificatePem;
  if (fields.defaultFilters) patch.defaultFilters = fields.defaultFilters;
  const changes = Object.keys(patch).length > 0;
  if (!changes && !values['set-secret'] && !values.default) {
    throw new UsageError('edit: nothing to change; give --name, --portal, --plan, … or --set-secret.');
  }
  let profile = current;
  let secretCleared = false;
  if (changes) ({ profile, secretCleared } = await store.edit(current.id, patch));
  if (values['set-secret']) await store.setSecret(profile.id, await readSecretFor(profile));
  if (values.default) await store.setDefault(profile.id);
  const listing = (await store.list()).find((l) => l.profile.id === profile.id)!;
  if (out.json) return emit(store, out, { profile: listingJson(listing), secretCleared });
  flushNotices(store, out);
  console.log(`Updated profile "${profile.name}" (${profile.id}).`);
  if (values['set-secret']) console.log('Its new secret is in the OS keychain.');
  else if (secretCleared) {
    console.log('Its portal address or credentials kind changed, so the old secret was removed from the keychain.');
    console.log(`Enter the new one with \`openlines profiles edit ${profile.id} --set-secret\`.`);
  }
  return EXIT.ok;
}
