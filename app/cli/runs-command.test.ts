// `openlines runs` as scripts see it: a child process reading the data folder that real runs wrote.
import { describe, expect, it } from 'vitest';
import { accessible, bulkCliPerTest } from './testing/bulk-fixtures.ts';

const bulkCli = bulkCliPerTest();

describe('openlines runs', () => {
  it('refuses bad arguments with exit 2 and its usage; --help prints it with exit 0', async () => {
    const cli = await bulkCli();
    const unknown = await cli.run(['runs', '--all']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--all'[\s\S]*Usage: openlines runs \[--json\]/);
    const positional = await cli.run(['runs', 'extra']);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toMatch(/Unexpected argument 'extra'/);
    const help = await cli.run(['runs', '-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: openlines runs \[--json\]/);
  });

  it('says when there are no runs yet, exit 0', async () => {
    const cli = await bulkCli();
    const human = await cli.run(['runs']);
    expect(human).toMatchObject({ code: 0, stdout: 'No bulk runs yet.\n', stderr: '' });
    const json = await cli.run(['runs', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ runs: [], damaged: [] });
  });

  it('lists a finished and a stopped run, newest first, and names the one to resume', async () => {
    const cli = await bulkCli();
    const [first, second] = [accessible(cli.portal, false).slice(0, 3), accessible(cli.portal, false).slice(3, 7)];
    expect((await cli.run(['restart', '--chats', await cli.chatsFile(first), '--yes'])).code).toBe(0);
    cli.portal.setFaults({ overload: true });
    expect(
      (await cli.run(['restart', '--chats', await cli.chatsFile(second), '--yes', '--mode', 'restart'])).code,
    ).toBe(4);

    const json = await cli.run(['runs', '--json']);
    expect(json.code).toBe(0);
    const { runs, damaged } = JSON.parse(json.stdout);
    expect(damaged).toEqual([]);
    expect(runs).toMatchObject([
      { status: 'stopped', mode: 'restart', total: 4, profileName: 'OPENLINES_WEBHOOK_URL' },
      { status: 'finished', mode: 'start', total: 3, counts: { verified: 3 } },
    ]);
    // The results file each run wrote when it ended is named, as the restart printed it.
    for (const run of runs as Array<{ runId: string; resultsFile: string | null }>) {
      expect(run.resultsFile).toMatch(new RegExp(`${run.runId}.*\\.csv$`));
    }
    const [stopped, finished] = runs as Array<{ runId: string }>;

    const human = await cli.run(['runs']);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^RUN\s+STATUS\s+MODE\s+CHATS\s+STARTED\s+ACTIVE\s+FAILED\s+LEFT\s+CREATED \(UTC\)\s+PROFILE$/,
    );
    expect(lines[1]).toMatch(new RegExp(`^${stopped!.runId}\\s+stopped\\s+restart\\s+4\\s+0\\s+0\\s+0\\s+4\\s+`));
    expect(lines[2]).toMatch(new RegExp(`^${finished!.runId}\\s+finished\\s+start\\s+3\\s+3\\s+0\\s+0\\s+0\\s+`));
    expect(human.stdout).toContain(`1 unfinished: continue with "openlines resume ${stopped!.runId}".`);
  });
});
