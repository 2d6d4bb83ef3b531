// The offline `openlines profiles` actions that take a name or a file: list, remove, set-default, import, export.
import type { ProfileStore } from '../../core/profiles/profile-store.ts';
import { UsageError } from '../command.ts';
import { noExtraArguments, onePositional, onlyFlags } from '../shared/arguments.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { printTable } from '../shared/output.ts';
import type { Values } from './options.ts';
import { emit, flushNotices, listingJson, type ProfileOutput, printProvisioning } from './output.ts';

export async function list(store: ProfileStore, values: Values, rest: string[], out: ProfileOutput): Promise<number> {
  noExtraArguments(rest, 'list');
  onlyFlags(values, ['json'], 'list');
  const listings = await store.list();
  const defaultProfileId = listings.find((l) => l.isDefault)?.profile.id ?? null;
  if (out.json) {
    return emit(store, out, { profiles: listings.map(listingJson), defaultProfileId });
  }
  flushNotices(store, out);
  if (!listings.length) {
    console.log(`No profiles yet in ${store.paths.root}. Add one with \`openlines profiles add\`.`);
    return EXIT.ok;
  }
  printTable(
    listings.map((l) => [
      l.isDefault ? '*' : ' ',
      l.profile.id,
      l.profile.name,
      new URL(l.profile.portal).host,
      l.profile.auth.kind,
      l.profile.plan,
      l.secret === 'stored' ? 'secret stored' : l.secret === 'missing' ? 'needs secret' : 'keychain unavailable',
    ]),
  );
  return EXIT.ok;
}

export async function remove(store: ProfileStore, values: Values, rest: string[], out: ProfileOutput): Promise<number> {
  const name = onePositional(rest, 'profiles remove NAME');
  onlyFlags(values, ['json', 'force'], 'remove');
  const removal = await store.remove(name, { force: values.force === true });
  if (out.json) {
    return emit(store, out, {
      removed: removal.profile.id,
      secretRemoved: removal.secretRemoved,
      cacheRemoved: removal.cacheRemoved,
      defaultProfileId: removal.defaultProfileId,
    });
  }
  flushNotices(store, out);
  console.log(`Removed profile "${removal.profile.name}" (${removal.profile.id}).`);
  if (removal.secretRemoved === 'unavailable') {
    console.log('The keychain did not answer, so its secret may still be there (service openlines-console).');
  } else if (removal.secretRemoved) console.log('Its secret was removed from the keychain.');
  if (removal.cacheRemoved) console.log('Its cached data was removed.');
  if (removal.defaultProfileId) console.log(`The default profile is now ${removal.defaultProfileId}.`);
  return EXIT.ok;
}

export async function setDefault(store: ProfileStore, rest: string[], out: ProfileOutput): Promise<number> {
  const profile = await store.setDefault(onePositional(rest, 'profiles set-default NAME'));
  if (out.json) return emit(store, out, { defaultProfileId: profile.id });
  flushNotices(store, out);
  console.log(`"${profile.name}" (${profile.id}) is now the default profile.`);
  return EXIT.ok;
}

export async function importFile(store: ProfileStore, rest: string[], out: ProfileOutput): Promise<number> {
  const report = await store.importProvisioningFile(onePositional(rest, 'profiles import FILE'));
  // The good entries are imported either way; a rejected one is bad input all the same.
  const code = report.rejected.length ? EXIT.usage : EXIT.ok;
  if (out.json) return emit(store, out, { import: report }, code);
  flushNotices(store, out);
  printProvisioning(report);
  return code;
}

export async function exportFile(store: ProfileStore, rest: string[], out: ProfileOutput): Promise<number> {
  const [file, ...names] = rest;
  if (!file) throw new UsageError('export needs a FILE to write.');
  const result = await store.exportProfiles(file, names);
  if (out.json) return emit(store, out, { export: result });
  flushNotices(store, out);
  console.log(`Wrote ${result.profiles.length} profile(s) to ${result.file} (no secrets).`);
  return EXIT.ok;
}
