// `openlines demo-portal`: runs the local demo portal alone and prints its webhook URL until stopped.
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortalOptions } from '../demo-portal/types.ts';
import { choiceOption, numberOption, parseCommandArgs } from './shared/arguments.ts';
import { EXIT } from './shared/exit-codes.ts';
import { printUsage } from './shared/output.ts';

const USAGE = `Usage: openlines demo-portal [--port N] [--chats N] [--plan standard|enterprise] [--time-scale N] [--cost SECONDS] [--seed N] [--tls]

Runs the local demo Bitrix24 portal on 127.0.0.1 and prints its webhook URL. Stop it with Ctrl+C.`;

const OPTIONS = {
  port: { type: 'string' },
  chats: { type: 'string' },
  plan: { type: 'string' },
  'time-scale': { type: 'string' },
  cost: { type: 'string' },
  seed: { type: 'string' },
  tls: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDemoPortalArgs(argv: string[]): DemoPortalOptions | 'help' {
  const { values } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: false }, USAGE);
  if (values.help) return 'help';
  const plan = choiceOption('plan', values.plan, ['standard', 'enterprise']);
  const options: DemoPortalOptions = { tls: values.tls === true };
  const port = numberOption('port', values.port, { min: 0, max: 65535 });
  const chats = numberOption('chats', values.chats, { min: 0, max: 50_000 });
  const timeScale = numberOption('time-scale', values['time-scale'], { min: 0.001, max: 1_000_000, integer: false });
  const cost = numberOption('cost', values.cost, { min: 0, max: 60, integer: false });
  const seed = numberOption('seed', values.seed, { min: 0, max: 2 ** 31 });
  if (port !== undefined) options.port = port;
  if (chats !== undefined) options.chats = chats;
  if (plan !== undefined) options.plan = plan;
  if (timeScale !== undefined) options.timeScale = timeScale;
  if (cost !== undefined) options.costSeconds = cost;
  if (seed !== undefined) options.seed = seed;
  return options;
}

export async function run(argv: string[]): Promise<number> {
  const options = parseDemoPortalArgs(argv);
  if (options === 'help') return printUsage(USAGE);
  const portal = await createDemoPortal(options);
  // The one place the demo secret is printed: it is the demo portal's own, and the line is the point of the command.
  console.log(`Demo portal running; webhook URL: ${portal.webhookUrl}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await portal.close();
  return EXIT.ok;
}
