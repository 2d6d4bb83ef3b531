// What `openlines profiles` prints: the store's notices (stderr, or collected into the JSON object), one JSON object
// with --json, and the profile errors it handles itself with their exit codes.
import { KeychainUnavailableError } from '../../core/keychain/keychain.ts';
import { ProfileError, ProfileValidationError, SecretMissingError } from '../../core/profiles/errors.ts';
import type { ProfileListing, ProfileStore } from '../../core/profiles/profile-store.ts';
import type { StoreNotice } from '../../core/profiles/profiles-file.ts';
import type { ProvisioningReport } from '../../core/profiles/provisioning.ts';
import { UsageError } from '../command.ts';
import { EXIT, type ExitCode, exitCodeOf } from '../shared/exit-codes.ts';
import { noteVerbatim, printJsonVerbatim } from '../shared/output.ts';

export interface ProfileOutput {
  json: boolean;
  /** Collected for --json; printed as they come otherwise. */
  notices: string[];
}

export function listingJson(listing: ProfileListing) {
  return { ...listing.profile, isDefault: listing.isDefault, secret: listing.secret };
}

function noticeText(notice: StoreNotice): string {
  if (notice.kind === 'provisioned') {
    const rejected = notice.report.rejected.map((r) => `  ${rejectedLine(r)}`);
    return [notice.message, ...rejected].join('\n');
  }
  return notice.message;
}

export function flushNotices(store: ProfileStore, out: ProfileOutput): void {
  for (const notice of store.drainNotices()) {
    const text = noticeText(notice);
    if (out.json) out.notices.push(text);
    else noteVerbatim(`openlines: ${text}`);
  }
}

/** The one JSON object of --json: `ok`, the action's body, and the notices. */
export function emit(
  store: ProfileStore,
  out: ProfileOutput,
  body: Record<string, unknown>,
  code: ExitCode = EXIT.ok,
): ExitCode {
  flushNotices(store, out);
  printJsonVerbatim({ ok: code === EXIT.ok, ...body, notices: out.notices });
  return code;
}

function rejectedLine(r: ProvisioningReport['rejected'][number]): string {
  const which = r.index < 0 ? 'file' : `entry ${r.index}${r.entry ? ` ("${r.entry}")` : ''}`;
  return `${which}: ${r.field} ${r.reason}`;
}

export function printProvisioning(report: ProvisioningReport): void {
  console.log(
    `Imported ${report.imported.length} profile(s) from ${report.source}: ${report.imported.join(', ') || 'none'}.`,
  );
  if (report.updated.length) console.log(`Updated ${report.updated.length}: ${report.updated.join(', ')}.`);
  if (report.secretDropped.length) {
    console.log(
      `The portal address or CA certificate of ${report.secretDropped.join(', ')} changed: the saved secret was ` +
        'removed from the keychain; enter it again (`openlines profiles edit NAME --set-secret`).',
    );
  }
  if (report.needsSecret.length) {
    console.log(`Needing a secret on first use: ${report.needsSecret.join(', ')}.`);
  }
  if (report.rejected.length) {
    noteVerbatim(`Rejected entries (nothing was imported from them):`);
    for (const r of report.rejected) noteVerbatim(`  ${rejectedLine(r)}`);
  }
}

/**
 * Prints a usage, profile or keychain error once (as JSON too when asked) and returns its exit code; anything else
 * is rethrown for the caller to report.
 */
export function reportProfileError(error: unknown, store: ProfileStore, out: ProfileOutput): ExitCode {
  if (!(error instanceof UsageError || error instanceof ProfileError || error instanceof KeychainUnavailableError)) {
    throw error;
  }
  const problems = error instanceof ProfileValidationError ? error.problems : undefined;
  if (error instanceof SecretMissingError) {
    error.message += ` Run \`openlines profiles edit ${error.profileId} --set-secret\` (the secret is read from a prompt or stdin).`;
  }
  const code = exitCodeOf(error);
  flushNotices(store, out);
  if (out.json) {
    printJsonVerbatim({
      ok: false,
      error: { code: error.code, message: error.message, problems },
      notices: out.notices,
    });
  } else if (problems) {
    noteVerbatim('openlines: the profile is not valid:');
    for (const p of problems) noteVerbatim(`  ${p.field} ${p.reason}`);
  } else noteVerbatim(`openlines: ${error.message}`);
  return code;
}
