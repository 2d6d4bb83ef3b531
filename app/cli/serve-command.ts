// `openlines serve [--demo] [--port N]`: the console in a local browser. Prints exactly one line on stdout,
// `Open Lines Console: http://127.0.0.1:PORT/#token=TOKEN`, and runs until Ctrl+C.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createBackend } from '../handlers/backend.ts';
import type { ServicesOptions } from '../handlers/services.ts';
import { announcement, startHost } from '../host/host.ts';
import { buildRenderer, PACKAGE_ROOT, RENDERER_ROOT, rendererBuilt } from '../host/renderer-build.ts';
import { listenForControl } from '../host/test-control.ts';
import { UsageError } from './command.ts';
import { numberOption, parseCommandArgs } from './shared/arguments.ts';
import { EXIT } from './shared/exit-codes.ts';
import { printUsage } from './shared/output.ts';

const USAGE = `Usage: openlines serve [--demo [--chats N]] [--port N] [--verbose]

Serves the console to a browser on this computer at http://127.0.0.1:PORT, guarded by a token made at each start.
  --demo       use the built-in demo portal (nothing is read from the keychain)
  --chats N    open-line chats the demo portal holds (default 200, at most 50,000)
  --port N     listen on port N (default: any free port)
  --verbose    log every portal request (default: a summary a minute)
Without --demo it uses your profiles (the demo portal when none exists), or the portal of the
OPENLINES_WEBHOOK_URL environment variable when it is set. Stop it with Ctrl+C.`;

export interface ServeArgs {
  demo: boolean;
  port: number;
  chats: number | undefined;
  verbose: boolean;
}

export function parseServeArgs(argv: string[]): ServeArgs | 'help' {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: {
        demo: { type: 'boolean' },
        port: { type: 'string' },
        chats: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    },
    USAGE,
  );
  if (values.help) return 'help';
  const chats = numberOption('chats', values.chats, { min: 0, max: 50_000 });
  if (chats !== undefined && !values.demo) throw new UsageError('--chats applies only with --demo.');
  return {
    demo: values.demo === true,
    port: numberOption('port', values.port, { min: 0, max: 65_535 }) ?? 0,
    chats,
    verbose: values.verbose === true,
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function servicesOptionsFor(args: ServeArgs, env: NodeJS.ProcessEnv = process.env): ServicesOptions {
  const log = (line: string) => console.error(`openlines serve: ${line}`);
  const base = { runtime: 'browser' as const, version: packageVersion(), log, verboseRequests: args.verbose };
  if (args.demo) return { ...base, mode: 'demo', demoPortal: args.chats === undefined ? {} : { chats: args.chats } };
  const envWebhookUrl = env.OPENLINES_WEBHOOK_URL?.trim();
  if (envWebhookUrl) return { ...base, mode: 'env', envWebhookUrl };
  return { ...base, mode: 'profiles' };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') return printUsage(USAGE);
  if (!rendererBuilt()) {
    console.error('openlines serve: building the renderer first (dist/renderer is missing)…');
    await buildRenderer();
  }
  const backend = createBackend(servicesOptionsFor(args));
  let host: Awaited<ReturnType<typeof startHost>>;
  try {
    host = await startHost({
      backend,
      rendererRoot: RENDERER_ROOT,
      port: args.port,
      log: (line) => console.error(`openlines serve: ${line}`),
    });
  } catch (error) {
    await backend.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${args.port} is already in use.`);
    throw error;
  }
  console.log(announcement(host));
  // Tests of the offline console stop and restart the demo portal through stdin; never outside --demo.
  const stopControl =
    args.demo && process.env.OPENLINES_TEST_CONTROL === '1'
      ? listenForControl(backend.services, process.stdin, (line) => console.log(line))
      : null;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopControl?.();
  await host.close();
  await backend.close();
  return EXIT.ok;
}
