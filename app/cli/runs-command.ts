// `openlines runs [--json]`: every bulk run in the data folder, newest first, with what is left to resume.
import type { RunProgress } from '../contract/runs.ts';
import { dataPaths } from '../core/data-folder.ts';
import { type DamagedRun, listRuns } from '../core/runs/index.ts';
import { isUnfinished } from '../core/runs/run-state.ts';
import { parseCommandArgs } from './shared/arguments.ts';
import { EXIT } from './shared/exit-codes.ts';
import { note, printJson, printTable, printUsage } from './shared/output.ts';

const USAGE = `Usage: openlines runs [--json]

Lists the bulk runs in the data folder (OPENLINES_HOME), newest first. Unfinished ones can be continued with
"openlines resume RUN_ID". With --json, prints one object: {"runs": [...], "damaged": [...]}.

Exit codes: 0 every run could be read; 3 a run's journal is damaged (it is listed, and its folder left untouched).`;

const HEADER = ['RUN', 'STATUS', 'MODE', 'CHATS', 'STARTED', 'ACTIVE', 'FAILED', 'LEFT', 'CREATED (UTC)', 'PROFILE'];

function row(run: RunProgress): string[] {
  const { counts } = run;
  return [
    run.runId,
    run.status,
    run.mode,
    String(run.total),
    String(counts.verified + counts.started),
    String(counts['already-active']),
    String(counts.failed),
    String(counts.pending + counts.sent),
    new Date(run.startedAt).toISOString().replace('T', ' ').slice(0, 19),
    run.profileName,
  ];
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    },
    USAGE,
  );
  if (values.help) return printUsage(USAGE);
  const damaged: DamagedRun[] = [];
  const runs = await listRuns(dataPaths().runsDir, (run) => damaged.push(run));
  // A damaged journal hides a run that may have touched chats: never let it pass as "nothing here".
  const code = damaged.length > 0 ? EXIT.config : EXIT.ok;
  if (values.json) {
    printJson({ runs, damaged });
    return code;
  }
  for (const run of damaged) {
    note(
      `openlines: run ${run.runId} cannot be shown or resumed: ${run.problem} Its folder ${run.dir} was left ` +
        'untouched: check its chats on the portal, and move the folder out of the runs folder once done with it.',
    );
  }
  if (runs.length === 0) {
    console.log(damaged.length > 0 ? 'No readable bulk runs.' : 'No bulk runs yet.');
    return code;
  }
  printTable([HEADER, ...runs.map(row)]);
  const unfinished = runs.filter((entry) => isUnfinished(entry.status));
  if (unfinished.length > 0) {
    console.log(`\n${unfinished.length} unfinished: continue with "openlines resume ${unfinished[0]?.runId}".`);
  }
  return code;
}
