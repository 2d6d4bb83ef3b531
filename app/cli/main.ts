// The `openlines` command: a thin dispatcher; each subcommand lives in its own module and is loaded on demand.
import type { CommandModule } from './command.ts';
import { EXIT } from './shared/exit-codes.ts';
import { reportUncaught } from './shared/output.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  'demo-portal': {
    summary: 'run the local demo portal and print its webhook URL',
    load: () => import('./demo-portal-command.ts'),
  },
  profiles: {
    summary: 'list, add, edit, remove, import, export and check portal profiles',
    load: () => import('./profiles-command.ts'),
  },
  serve: { summary: 'serve the console to a local browser', load: () => import('./serve-command.ts') },
  restart: { summary: 'start or restart sessions on many chats', load: () => import('./restart-command.ts') },
  resume: { summary: 'resume an unfinished bulk run', load: () => import('./resume-command.ts') },
  runs: { summary: 'list bulk runs', load: () => import('./runs-command.ts') },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'Usage: openlines <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `openlines <command> --help` for options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`openlines: unknown command "${name}".\n\n${help()}`);
    return EXIT.usage;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    return reportUncaught(error);
  }
}
