// `openlines profiles …`: portal profiles from the command line. Everything except `check` works offline. A secret
// is read from a prompt with echo off, or from stdin when piped; never from a flag, never printed.
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { dataFolder } from '../core/data-folder.ts';
import { KeychainUnavailableError } from '../core/keychain/keychain.ts';
import type { OAuthSecret, ProfileSecret } from '../core/keychain/profile-secrets.ts';
import { splitWebhookUrl } from '../core/profiles/address.ts';
import { type ConnectionCheck, checkConnection } from '../core/profiles/connection-check.ts';
import { ProfileError, ProfileValidationError, SecretMissingError } from '../core/profiles/errors.ts';
import {
  type ProfileDraft,
  type ProfileListing,
  type ProfilePatch,
  ProfileStore,
  type StoreNotice,
  webhookSecretFor,
} from '../core/profiles/profile-store.ts';
import type { ProvisioningReport } from '../core/profiles/provisioning.ts';
import { resolvePortal } from '../core/profiles/resolve-portal.ts';
import type { DefaultFilters, Profile } from '../core/profiles/schema.ts';
import { EXIT, UsageError } from './command.ts';

const HELP = `Usage: openlines profiles <action> [options]

Actions (all offline except check):
  list                      list profiles (* marks the default)
  add --name NAME …         add a profile; its secret is read from a prompt or stdin
  edit NAME [options]       change a profile (--name renames it; the id never changes)
  remove NAME [--force]     remove a profile, its keychain entry and its cached data
  set-default NAME          open this profile by default
  import FILE               import a provisioning file (portals.json) from IT
  export FILE [NAME…]       write profiles, never secrets, in the format import reads
  check [NAME]              connect: calls profile and scope, reports missing scopes

Profile options (add, edit):
  --name NAME               display name
  --id ID                   id for a new profile (default: derived from the name)
  --auth webhook|oauth      kind of credentials (default webhook, or oauth with --client-id)
  --portal URL              portal address, e.g. https://example.bitrix24.com
  --user-id N               webhook: the id of the user who created the webhook
  --client-id ID            OAuth: application client id
  --client-endpoint URL     OAuth: client_endpoint (default <portal>/rest/)
  --token-url URL           OAuth: token server (default https://oauth.bitrix.info/oauth/token/)
  --plan standard|enterprise|detect
  --ca-file FILE            extra CA certificate (PEM) for an on-premise portal; --no-ca removes it (edit)
  --lines 1,2  --statuses new,answered  --operators 5,9   default filters
  --default                 make it the default profile
  --no-secret               add: save without a secret; it is asked for on first use
  --set-secret              edit: read a new secret from the prompt or stdin
  --json                    print one JSON object

The webhook secret is the whole inbound webhook URL (https://host/rest/<user>/<code>/) or only its code. Piped,
\`add\` takes the portal and user id from the URL:  printf '%s' "$URL" | openlines profiles add --name Main
An OAuth secret is a JSON object on stdin: {"clientSecret":"…","accessToken":"…","refreshToken":"…"}.
For automation without a keychain, set OPENLINES_WEBHOOK_URL instead of using a profile.

Exit codes: 0 ok; 2 bad input (import: some entries were rejected, the good ones were imported);
3 configuration, keychain or credentials (check: refused, or scopes missing); 4 portal unreachable or blocked.`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  id: { type: 'string' },
  auth: { type: 'string' },
  portal: { type: 'string' },
  'user-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-endpoint': { type: 'string' },
  'token-url': { type: 'string' },
  plan: { type: 'string' },
  'ca-file': { type: 'string' },
  'no-ca': { type: 'boolean' },
  lines: { type: 'string' },
  statuses: { type: 'string' },
  operators: { type: 'string' },
  default: { type: 'boolean' },
  'no-secret': { type: 'boolean' },
  'set-secret': { type: 'boolean' },
  force: { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

// Flags that look like they carry a secret are refused outright: argv is visible to every user of the machine.
const SECRET_FLAGS = /^--(webhook(-url)?|url|secret|code|client-secret|token|access-token|refresh-token|password)(=|$)/;

interface Output {
  json: boolean;
  /** Collected for --json; printed as they come otherwise. */
  notices: string[];
}

export async function run(argv: string[]): Promise<number> {
  const secretFlag = argv.find((arg) => SECRET_FLAGS.test(arg));
  if (secretFlag) {
    throw new UsageError(
      `${secretFlag.split('=')[0]} is not accepted: secrets are never taken from the command line (other users can ` +
        'see it). Pipe the webhook URL on stdin or type it at the prompt.',
    );
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    (action === undefined && !values.help ? console.error : console.log)(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const out: Output = { json: values.json === true, notices: [] };
  const store = new ProfileStore({ home: dataFolder() });
  try {
    switch (action) {
      case 'list':
        return await list(store, values, rest, out);
      case 'add':
        return await add(store, values, rest, out);
      case 'edit':
        return await edit(store, values, rest, out);
      case 'remove':
        return await remove(store, values, rest, out);
      case 'set-default':
        return await setDefault(store, rest, out);
      case 'import':
        return await importFile(store, rest, out);
      case 'export':
        return await exportFile(store, rest, out);
      case 'check':
        return await check(store, values, rest, out);
      default:
        throw new UsageError(`unknown action "${action}".\n\n${HELP}`);
    }
  } catch (error) {
    return report(error, store, out);
  }
}

// ───────────────────────────── actions ─────────────────────────────

async function list(store: ProfileStore, values: Values, rest: string[], out: Output): Promise<number> {
  noExtra(rest, 'list');
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
  const rows = listings.map((l) => [
    l.isDefault ? '*' : ' ',
    l.profile.id,
    l.profile.name,
    new URL(l.profile.portal).host,
    l.profile.auth.kind,
    l.profile.plan,
    l.secret === 'stored' ? 'secret stored' : l.secret === 'missing' ? 'needs secret' : 'keychain unavailable',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  return EXIT.ok;
}

async function add(store: ProfileStore, values: Values, rest: string[], out: Output): Promise<number> {
  noExtra(rest, 'add');
  forbid(values, ['no-ca', 'set-secret', 'force'], 'add');
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

async function edit(store: ProfileStore, values: Values, rest: string[], out: Output): Promise<number> {
  const name = onePositional(rest, 'edit NAME');
  forbid(values, ['no-secret', 'force', 'id'], 'edit');
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

async function remove(store: ProfileStore, values: Values, rest: string[], out: Output): Promise<number> {
  const name = onePositional(rest, 'remove NAME');
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

async function setDefault(store: ProfileStore, rest: string[], out: Output): Promise<number> {
  const profile = await store.setDefault(onePositional(rest, 'set-default NAME'));
  if (out.json) return emit(store, out, { defaultProfileId: profile.id });
  flushNotices(store, out);
  console.log(`"${profile.name}" (${profile.id}) is now the default profile.`);
  return EXIT.ok;
}

async function importFile(store: ProfileStore, rest: string[], out: Output): Promise<number> {
  const report = await store.importProvisioningFile(onePositional(rest, 'import FILE'));
  const code = report.rejected.length ? EXIT.usage : EXIT.ok;
  if (out.json) return emit(store, out, { import: report }, code);
  flushNotices(store, out);
  printProvisioning(report);
  return code;
}

async function exportFile(store: ProfileStore, rest: string[], out: Output): Promise<number> {
  const [file, ...names] = rest;
  if (!file) throw new UsageError('export needs a FILE to write.');
  const result = await store.exportProfiles(file, names);
  if (out.json) return emit(store, out, { export: result });
  flushNotices(store, out);
  console.log(`Wrote ${result.profiles.length} profile(s) to ${result.file} (no secrets).`);
  return EXIT.ok;
}

async function check(store: ProfileStore, values: Values, rest: string[], out: Output): Promise<number> {
  if (rest.length > 1) throw new UsageError('check takes at most one profile NAME.');
  onlyFlags(values, ['json'], 'check');
  let resolved: Awaited<ReturnType<typeof resolvePortal>>;
  try {
    resolved = await resolvePortal({ profileName: rest[0], store });
  } catch (error) {
    // First use of a provisioned profile: ask for its secret when someone is at the keyboard.
    if (!(error instanceof SecretMissingError) || !process.stdin.isTTY) throw error;
    const profile = await store.get(error.profileId);
    console.error(`Profile "${profile.name}" has no secret yet.`);
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

function checkExitCode(result: ConnectionCheck): number {
  if (result.status === 'ok') return EXIT.ok;
  if (result.status === 'unreachable' || result.status === 'blocked') return EXIT.stopped;
  return EXIT.config;
}

// ───────────────────────────── input ─────────────────────────────

function authKind(values: Values): 'webhook' | 'oauth' {
  const kind = values.auth ?? (values['client-id'] ? 'oauth' : 'webhook');
  if (kind !== 'webhook' && kind !== 'oauth') throw new UsageError('--auth must be webhook or oauth.');
  if (kind === 'webhook' && (values['client-id'] || values['client-endpoint'] || values['token-url'])) {
    throw new UsageError('--client-id, --client-endpoint and --token-url are for --auth oauth.');
  }
  if (kind === 'oauth' && values['user-id']) throw new UsageError('--user-id is for webhook profiles.');
  return kind;
}

function editedAuth(current: Profile, values: Values): ProfilePatch['auth'] | undefined {
  const touched = ['auth', 'user-id', 'client-id', 'client-endpoint', 'token-url'].some(
    (flag) => values[flag as keyof Values] !== undefined,
  );
  if (!touched) return undefined;
  const kind = (values.auth ?? current.auth.kind) as string;
  if (kind === 'webhook') {
    if (values['client-id'] || values['client-endpoint'] || values['token-url']) {
      throw new UsageError('--client-id, --client-endpoint and --token-url are for OAuth profiles.');
    }
    const userId = values['user-id'] ?? (current.auth.kind === 'webhook' ? String(current.auth.userId) : undefined);
    if (userId === undefined) throw new UsageError('Switching to a webhook needs --user-id.');
    return { kind: 'webhook', userId: positiveInt(userId, '--user-id') };
  }
  if (kind === 'oauth') {
    if (values['user-id']) throw new UsageError('--user-id is for webhook profiles.');
    const before = current.auth.kind === 'oauth' ? current.auth : undefined;
    const clientId = values['client-id'] ?? before?.clientId;
    if (!clientId) throw new UsageError('Switching to OAuth needs --client-id.');
    const clientEndpoint = values['client-endpoint'] ?? before?.clientEndpoint;
    const tokenUrl = values['token-url'] ?? before?.tokenUrl;
    return {
      kind: 'oauth',
      clientId,
      ...(clientEndpoint ? { clientEndpoint } : {}),
      ...(tokenUrl ? { tokenUrl } : {}),
    };
  }
  throw new UsageError('--auth must be webhook or oauth.');
}

async function commonFields(
  values: Values,
): Promise<{ plan?: Profile['plan']; caCertificatePem?: string; defaultFilters?: Partial<DefaultFilters> }> {
  const fields: { plan?: Profile['plan']; caCertificatePem?: string; defaultFilters?: Partial<DefaultFilters> } = {};
  if (values.plan !== undefined) fields.plan = values.plan as Profile['plan'];
  if (values['ca-file'] !== undefined) {
    try {
      fields.caCertificatePem = await readFile(values['ca-file'], 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-file: cannot read ${values['ca-file']} (${(error as NodeJS.ErrnoException).code}).`);
    }
  }
  const filters: Partial<DefaultFilters> = {};
  if (values.lines !== undefined) filters.lineIds = splitList(values.lines).map((v) => positiveInt(v, '--lines'));
  if (values.operators !== undefined)
    filters.operatorIds = splitList(values.operators).map((v) => positiveInt(v, '--operators'));
  if (values.statuses !== undefined) filters.statuses = splitList(values.statuses) as DefaultFilters['statuses'];
  if (Object.keys(filters).length) fields.defaultFilters = filters;
  return fields;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function positiveInt(text: string, flag: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text.trim())) throw new UsageError(`${flag} takes positive whole numbers.`);
  return Number(text.trim());
}

function normalizedPortal(text: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return text;
  }
}

function noExtra(rest: string[], action: string): void {
  if (rest.length) throw new UsageError(`${action} takes no further arguments.`);
}

function onePositional(rest: string[], usage: string): string {
  if (rest.length !== 1 || !rest[0]) throw new UsageError(`usage: openlines profiles ${usage}`);
  return rest[0];
}

function onlyFlags(values: Values, allowed: string[], action: string): void {
  const extra = Object.keys(values).filter((key) => !allowed.includes(key) && key !== 'help');
  if (extra.length) throw new UsageError(`${action} does not take --${extra.join(', --')}.`);
}

function forbid(values: Values, flags: string[], action: string): void {
  const used = flags.filter((flag) => values[flag as keyof Values] !== undefined);
  if (used.length) throw new UsageError(`${action} does not take --${used.join(', --')}.`);
}

async function readSecretFor(profile: Profile): Promise<ProfileSecret> {
  if (profile.auth.kind === 'oauth') return readOAuthSecret();
  return webhookSecretFor(profile, await readSecretText(`Inbound webhook URL (or its code) for ${profile.name}: `));
}

async function readOAuthSecret(): Promise<OAuthSecret> {
  if (process.stdin.isTTY) {
    const clientSecret = await promptHidden('OAuth client secret: ');
    const accessToken = await promptHidden('Access token: ');
    const refreshToken = await promptHidden('Refresh token: ');
    if (!clientSecret || !accessToken || !refreshToken) throw new UsageError('All three OAuth secrets are needed.');
    return { kind: 'oauth', clientSecret, tokens: { accessToken, refreshToken } };
  }
  const text = await readStdin();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError('stdin: expected a JSON object {"clientSecret","accessToken","refreshToken"}.');
  }
  const { clientSecret, accessToken, refreshToken, expiresAt } = (raw ?? {}) as Record<string, unknown>;
  if (typeof clientSecret !== 'string' || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new UsageError('stdin: the JSON object needs string fields clientSecret, accessToken and refreshToken.');
  }
  if (!clientSecret || !accessToken || !refreshToken) throw new UsageError('All three OAuth secrets are needed.');
  return {
    kind: 'oauth',
    clientSecret,
    tokens: { accessToken, refreshToken, ...(typeof expiresAt === 'number' ? { expiresAt } : {}) },
  };
}

/** One line of secret: a hidden prompt on a terminal, the first line of stdin otherwise. */
async function readSecretText(prompt: string): Promise<string> {
  const text = process.stdin.isTTY ? await promptHidden(prompt) : ((await readStdin()).split(/\r?\n/)[0] ?? '');
  if (!text.trim()) throw new UsageError('No secret was given (type it at the prompt or pipe it on stdin).');
  return text.trim();
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Reads a line from the terminal with echo off; the prompt goes to stderr so stdout stays clean for --json. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

// ───────────────────────────── output ─────────────────────────────

function listingJson(listing: ProfileListing) {
  return { ...listing.profile, isDefault: listing.isDefault, secret: listing.secret };
}

function noticeText(notice: StoreNotice): string {
  if (notice.kind === 'provisioned') {
    const rejected = notice.report.rejected.map((r) => `  ${rejectedLine(r)}`);
    return [notice.message, ...rejected].join('\n');
  }
  return notice.message;
}

function flushNotices(store: ProfileStore, out: Output): void {
  for (const notice of store.drainNotices()) {
    const text = noticeText(notice);
    if (out.json) out.notices.push(text);
    else console.error(`openlines: ${text}`);
  }
}

function emit(store: ProfileStore, out: Output, body: Record<string, unknown>, code: number = EXIT.ok): number {
  flushNotices(store, out);
  console.log(JSON.stringify({ ok: code === EXIT.ok, ...body, notices: out.notices }));
  return code;
}

function rejectedLine(r: ProvisioningReport['rejected'][number]): string {
  const which = r.index < 0 ? 'file' : `entry ${r.index}${r.entry ? ` ("${r.entry}")` : ''}`;
  return `${which}: ${r.field} ${r.reason}`;
}

function printProvisioning(report: ProvisioningReport): void {
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
    console.error(`Rejected entries (nothing was imported from them):`);
    for (const r of report.rejected) console.error(`  ${rejectedLine(r)}`);
  }
}

/** Prints a handled error (once, as JSON too when asked) and picks the exit code. */
function report(error: unknown, store: ProfileStore, out: Output): number {
  let code: number;
  let errorCode: string;
  let problems: Array<{ field: string; reason: string }> | undefined;
  if (error instanceof UsageError) {
    code = EXIT.usage;
    errorCode = 'USAGE';
  } else if (error instanceof ProfileValidationError) {
    code = EXIT.usage;
    errorCode = error.code;
    problems = error.problems;
  } else if (error instanceof KeychainUnavailableError) {
    code = EXIT.config;
    errorCode = error.code;
  } else if (error instanceof ProfileError) {
    const badInput = ['PROFILE_NOT_FOUND', 'PROFILE_EXISTS', 'PROVISIONING_FILE_INVALID'].includes(error.code);
    code = badInput ? EXIT.usage : EXIT.config;
    errorCode = error.code;
    if (error instanceof SecretMissingError) {
      error.message += ` Run \`openlines profiles edit ${error.profileId} --set-secret\` (the secret is read from a prompt or stdin).`;
    }
  } else {
    throw error;
  }
  const message = (error as Error).message;
  if (out.json) {
    flushNotices(store, out);
    console.log(JSON.stringify({ ok: false, error: { code: errorCode, message, problems }, notices: out.notices }));
  } else {
    flushNotices(store, out);
    if (problems) {
      console.error('openlines: the profile is not valid:');
      for (const p of problems) console.error(`  ${p.field} ${p.reason}`);
    } else console.error(`openlines: ${message}`);
  }
  return code;
}
