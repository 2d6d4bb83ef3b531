// Child-process entry of one contender: reads the job from stdin, runs it, prints one marked JSON line.
import { runBulk } from './contenders/bulk.ts';
import { runEngine } from './contenders/engine.ts';
import { runNaive } from './contenders/naive.ts';
import { runSdk } from './contenders/sdk.ts';
import { type ContenderJob, type ContenderResult, RESULT_MARKER } from './protocol.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as ContenderJob;
  const rssBeforeBytes = process.resourceUsage().maxRSS * 1024;
  let run: Omit<ContenderResult, 'rssBeforeBytes' | 'peakRssBytes'>;
  switch (job.contender) {
    case 'engine':
      run = await runEngine(job);
      break;
    case 'naive':
      run = await runNaive(job);
      break;
    case 'sdk':
      run = await runSdk(job);
      break;
    case 'bulk':
      run = await runBulk(job);
      break;
  }
  const result: ContenderResult = { ...run, rssBeforeBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
  // Keep-alive sockets or limiter timers of a contender must not keep the child alive.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
