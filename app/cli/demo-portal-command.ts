// `openlines demo-portal`: runs the local demo portal alone and prints its webhook URL until stopped.
import { parseArgs } from 'node:util';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortalOptions } from '../demo-portal/types.ts';
import { EXIT, UsageError } from './command.ts';

const USAGE = `Usage: openlines demo-portal [--port N] [--chats N] [--plan standard|enterprise] [--time-scale N] [--cost SECONDS] [--seed N] [--tls]

Runs the local demo Bitrix24 portal on 127.0.0.1 and prints its webhook URL. Stop it with Ctrl+C.`;

function number(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${raw}").`,
    );
  }
  return value;
}

export function parseDemoPortalArgs(argv: string[]): DemoPortalOptions | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const plan = values.plan;
  if (plan !== undefined && plan !== 'standard' && plan !== 'enterprise') {
    throw new UsageError(`--plan must be standard or enterprise (got "${plan}").`);
  }
  const options: DemoPortalOptions = { tls: values.tls === true };
  const port = number('port', values.port, 0, 65535, true);
  const chats = number('chats', values.chats, 0, 50_000, true);
  const timeScale = number('time-scale', values['time-scale'], 0.001, 1_000_000, false);
  const cost = number('cost', values.cost, 0, 60, false);
  const seed = number('seed', values.seed, 0, 2 ** 31, true);
  if (port !== undefined) options.port = port;
  if (chats !== undefined) options.chats = chats;
  if (plan !== undefined) options.plan = plan;
  if (timeScale !== undefined) options.timeScale = timeScale;
  if (cost !== undefined) options.costSeconds = cost;
  if (seed !== undefined) options.seed = seed;
  return options;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      chats: { type: 'string' },
      plan: { type: 'string' },
      'time-scale': { type: 'string' },
      cost: { type: 'string' },
      seed: { type: 'string' },
      tls: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export async function run(argv: string[]): Promise<number> {
  const options = parseDemoPortalArgs(argv);
  if (options === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
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
