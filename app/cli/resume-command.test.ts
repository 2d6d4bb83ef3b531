// `openlines resume` as scripts see it: a child process against a demo portal in this test process, over real HTTP.
import { describe, expect, it } from 'vitest';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import { accessible, type BulkCli, bulkCliPerTest, JSON_KEYS } from './testing/bulk-fixtures.ts';

const bulkCli = bulkCliPerTest();

/** A run of `ids` that the portal stopped (OVERLOAD_LIMIT) before any chat was started: resumable. */
async function stoppedRun(harness: BulkCli, ids: number[]): Promise<string> {
  harness.portal.setFaults({ overload: true });
  const stopped = await harness.run(['restart', '--chats', await harness.chatsFile(ids), '--yes', '--json']);
  expect(stopped.code).toBe(4);
  harness.portal.setFaults({});
  return JSON.parse(stopped.stdout).runId;
}

describe('openlines resume', () => {
  it('refuses bad arguments with exit 2 and its usage; --help prints it with exit 0', async () => {
    const cli = await bulkCli();
    const two = await cli.run(['resume', 'one', 'two']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/resume takes one run id at most\.\n\nUsage: openlines resume/);
    const unknown = await cli.run(['resume', '--nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--nope'[\s\S]*Usage: openlines resume/);
    const help = await cli.run(['resume', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: openlines resume \[RUN_ID\] \[--json\] \[--profile NAME\]/);
    expect(cli.portal.counters.requests).toBe(0);
  });

  it('says there is no such run with exit 2, and --json still prints the one result object', async () => {
    const cli = await bulkCli();
    const result = await cli.run(['resume', 'no-such-run', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/There is no bulk run "no-such-run"/);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    expect(output).toMatchObject({ runId: null, mode: 'start', total: 0, failed: [] });
  });

  it('resumes the latest stopped run to the end; a finished run is refused with exit 2', async () => {
    const cli = await bulkCli();
    const ids = accessible(cli.portal, false).slice(0, 8);
    const runId = await stoppedRun(cli, ids);

    const resumed = await cli.run(['resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming run ${runId} (start, 8 chats on`);
    expect(resumed.stderr).toMatch(/finished/);
    const lines = resumed.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0]!);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    expect(output).toMatchObject({ runId, mode: 'start', total: 8, verified: 8, failed: [] });
    for (const id of ids) expect(cli.portal.counters.sessionStarts.get(id)).toBe(1);

    const again = await cli.run(['resume', runId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`Bulk run ${runId} has already finished`));
    expect(await cli.run(['resume'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no unfinished bulk run/),
    });
  });

  it('keeps a run on its own portal: exit 3 without its webhook, or with another portal’s, and nothing sent', async () => {
    const cli = await bulkCli();
    const ids = accessible(cli.portal, false).slice(0, 5);
    const runId = await stoppedRun(cli, ids);

    const withoutWebhook = await cli.run(['resume', runId, '--json'], { webhookUrl: null });
    expect(withoutWebhook.code).toBe(3);
    expect(withoutWebhook.stderr).toMatch(/was made with OPENLINES_WEBHOOK_URL \(portal 127\.0\.0\.1:\d+\)/);
    expect(Object.keys(JSON.parse(withoutWebhook.stdout))).toEqual(JSON_KEYS);

    const other = await createDemoPortal({ chats: 5 });
    try {
      const elsewhere = await cli.run(['resume', runId], { webhookUrl: other.webhookUrl });
      expect(elsewhere.code).toBe(3);
      expect(elsewhere.stderr).toMatch(new RegExp(`Bulk run ${runId} was made on 127\\.0\\.0\\.1:\\d+ .*, not on`));
      expect(elsewhere.stdout).toBe('');
      expect(other.counters.sessionStarts.size).toBe(0);
      expect(elsewhere.stdout + elsewhere.stderr).not.toContain(new URL(other.webhookUrl).pathname.split('/')[3]);
    } finally {
      await other.close();
    }
    expect(cli.portal.counters.sessionStarts.size).toBe(0);
  });
});
