// `openlines profiles check [NAME]`: the one action that goes online: calls profile and scope, reports what is missing.
import { type ConnectionCheck, checkConnection } from '../../core/profiles/connection-check.ts';
import { SecretMissingError } from '../../core/profiles/errors.ts';
import type { ProfileStore } from '../../core/profiles/profile-store.ts';
import { resolvePortal } from '../../core/profiles/resolve-portal.ts';
import { UsageError } from '../command.ts';
import { onlyFlags } from '../shared/arguments.ts';
import { EXIT, type ExitCode } from '../shared/exit-codes.ts';
import { noteVerbatim } from '../shared/output.ts';
import { readSecretFor } from './fields.ts';
import type { Values } from './options.ts';
import { emit, flushNotices, type ProfileOutput } from './output.ts';

export async function check(store: ProfileStore, values: Values, rest: string[], out: ProfileOutput): Promise<number> {
  if (rest.length > 1) throw new UsageError('check takes at most one profile NAME.');
  onlyFlags(values, ['json'], 'check');
  let resolved: Awaited<ReturnType<typeof resolvePortal>>;
  try {
    resolved = await resolvePortal({ profileName: rest[0], store });
  } catch (error) {
    // First use of a provisioned profile: ask for its secret when someone is at the keyboard.
    if (!(error instanceof SecretMissingError) || !process.stdin.isTTY) throw error;
    const profile = await store.get(error.profileId);
    noteVerbatim(`Profile "${profile.name}" has no secret yet.`);
    await store.setSecret(profile.id, await readSecretFor(profile));
    resolved = await resolvePortal({ profileName: profile.id, store });
  }
  const result = await checkConnection(resolved.clientOptions, { plan: resolved.profile?.plan ?? 'detect' });
  const code = checkExitCode(result);
  const profileId = resolved.profile?.id ?? null;
  if (out.json) return emit(store, out, { check: { profileId, source: resolved.source, ...result } }, code);
  flushNotices(store, out);
  const who = resolved.profile ? `Profile "${resolved.profile.name}"` : 'OPENLINES_WEBHOOK_URL';
  console.log(`${who}: ${result.message}`);
  if (result.scopes.length) console.log(`Scopes: ${result.scopes.join(', ')}`);
  if (result.planHint) console.log(`Plan: ${result.planHint}`);
  return code;
}

/** A check is an answer, not an error: refused or missing scopes are configuration, no portal to talk to is 4. */
function checkExitCode(result: ConnectionCheck): ExitCode {
  if (result.status === 'ok') return EXIT.ok;
  if (result.status === 'unreachable' || result.status === 'blocked') return EXIT.stopped;
  return EXIT.config;
}
