// `openlines profiles …`: portal profiles from the command line. Everything except `check` works offline. A secret
// is read from a prompt with echo off, or from stdin when piped; never from a flag, never printed. Each action
// lives in profiles/; this module parses the command line once and reports what the actions throw.
import { dataFolder } from '../core/data-folder.ts';
import { ProfileStore } from '../core/profiles/profile-store.ts';
import { UsageError } from './command.ts';
import { add } from './profiles/add.ts';
import { check } from './profiles/check.ts';
import { edit } from './profiles/edit.ts';
import { exportFile, importFile, list, remove, setDefault } from './profiles/manage.ts';
import { OPTIONS } from './profiles/options.ts';
import { type ProfileOutput, reportProfileError } from './profiles/output.ts';
import { parseCommandArgs } from './shared/arguments.ts';
import { EXIT } from './shared/exit-codes.ts';
import { refuseSecretFlags } from './shared/input.ts';

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

export async function run(argv: string[]): Promise<number> {
  refuseSecretFlags(argv);
  const { values, positionals } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true }, HELP);
  const [action, ...rest] = positionals;
  if (values.help || action === undefined) {
    (action === undefined && !values.help ? console.error : console.log)(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const out: ProfileOutput = { json: values.json === true, notices: [] };
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
    return reportProfileError(error, store, out);
  }
}
