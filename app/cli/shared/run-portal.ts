// The portal and environment of a bulk run, the same for `restart` and `resume`.
import { createBitrix24Client } from '../../core/bitrix24/client.ts';
import type { Bitrix24Client, Plan } from '../../core/bitrix24/types.ts';
import { dataPaths } from '../../core/data-folder.ts';
import { type ResolvedPortal, resolvePortal } from '../../core/profiles/resolve-portal.ts';
import { redact } from '../../core/redact.ts';
import { requestLimitFromEnv as coreRequestLimitFromEnv, type RunEnvironment } from '../../core/runs/index.ts';
import { UsageError } from '../command.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

export type RunPortal = { ok: true; portal: ResolvedPortal } | { ok: false; exit: ExitCode; message: string };

/**
 * The portal a run talks to. Whatever keeps a run from it (an unknown --profile, no secret, a locked keychain, a
 * bad OPENLINES_WEBHOOK_URL) is configuration, exit 3, as issue #5 states: nothing was sent yet.
 */
export async function resolveRunPortal(profileName: string | undefined): Promise<RunPortal> {
  try {
    return { ok: true, portal: await resolvePortal({ profileName }) };
  } catch (error) {
    return { ok: false, exit: EXIT.config, message: redact(error instanceof Error ? error.message : String(error)) };
  }
}

/** Milliseconds the portal may still run a request after it was sent; only tests against a local portal lower it. */
function requestLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  try {
    return coreRequestLimitFromEnv(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function runEnvironment(portal: ResolvedPortal, client: Bitrix24Client, plan: string | null): RunEnvironment {
  const environment: RunEnvironment = {
    client,
    runsDir: dataPaths().runsDir,
    profile: portal.profile
      ? { id: portal.profile.id, name: portal.profile.name }
      : { id: null, name: 'OPENLINES_WEBHOOK_URL' },
    plan,
  };
  const limit = requestLimitFromEnv();
  if (limit !== undefined) environment.requestLimitMs = limit;
  return environment;
}

export function clientFor(portal: ResolvedPortal, plan: Plan | undefined): Bitrix24Client {
  const options = { ...portal.clientOptions };
  if (plan) options.plan = plan;
  return createBitrix24Client(options);
}
