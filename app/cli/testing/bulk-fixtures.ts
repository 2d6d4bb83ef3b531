// What the bulk command tests share: the keys of the `--json` result, chats of the demo portal by state, and a
// data folder with a demo portal to run commands against.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../../demo-portal/types.ts';
import { type CliResult, cliEnv, spawnCli } from './run-cli.ts';

/** The keys `restart --json` and `resume --json` print, in order (issue #5). */
export const JSON_KEYS = [
  'runId',
  'mode',
  'total',
  'started',
  'alreadyActive',
  'verified',
  'failed',
  'invalid',
  'duplicates',
  'requests',
  'limitHits',
  'durationMs',
];

/** Chats the webhook's user may work on, with a session open (`open`) or not. */
export function accessible(demo: DemoPortal, open: boolean): number[] {
  return demo.chatIds().filter((id) => {
    const chat = demo.chat(id)!;
    return chat.accessible && chat.status < 60 === open;
  });
}

/** A data folder and a demo portal in this process, and `openlines` commands run against them. */
export class BulkCli {
  /** Everything the commands printed: none of it may hold the webhook's secret code. */
  readonly outputs: string[] = [];
  readonly secret: string;

  private constructor(
    readonly home: string,
    readonly portal: DemoPortal,
  ) {
    this.secret = new URL(portal.webhookUrl).pathname.split('/')[3]!;
  }

  static async create(options: DemoPortalOptions = {}): Promise<BulkCli> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'openlines-cli-'));
    const portal = await createDemoPortal({ chats: 60, plan: 'enterprise', costSeconds: 0.001, ...options });
    return new BulkCli(home, portal);
  }

  /** `webhookUrl: null` runs the command without OPENLINES_WEBHOOK_URL. */
  async run(args: string[], options: { input?: string; webhookUrl?: string | null } = {}): Promise<CliResult> {
    const webhookUrl = options.webhookUrl === undefined ? this.portal.webhookUrl : options.webhookUrl;
    const env = cliEnv(this.home, {
      // How long the portal may still run a request: the real 65 s would make the tests wait a minute.
      OPENLINES_BULK_REQUEST_LIMIT_MS: '2500',
      ...(webhookUrl === null ? {} : { OPENLINES_WEBHOOK_URL: webhookUrl }),
    });
    const result = await spawnCli(args, env, options.input).result;
    this.outputs.push(result.stdout, result.stderr);
    return result;
  }

  async chatsFile(ids: readonly number[]): Promise<string> {
    const file = path.join(this.home, `chats-${ids.length}.txt`);
    await writeFile(file, `${ids.join('\n')}\n`);
    return file;
  }

  async close(): Promise<void> {
    await this.portal.close();
    await rm(this.home, { recursive: true, force: true });
  }
}

/** Registers the cleanup and returns how a test makes its BulkCli; after each test, no output held the secret. */
export function bulkCliPerTest(): (options?: DemoPortalOptions) => Promise<BulkCli> {
  let current: BulkCli | undefined;
  afterEach(async () => {
    if (!current) return;
    for (const text of current.outputs) expect(text).not.toContain(current.secret);
    await current.close();
    current = undefined;
  });
  return async (options) => {
    current = await BulkCli.create(options);
    return current;
  };
}
