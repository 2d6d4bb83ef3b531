// Each contender runs in its own Node process against a portal served by the parent: its event loop, memory and
// global state (the b24jssdk's limiter, axios agents) stay its own, and its peak RSS is its own. The parent sends
// the job on stdin and reads one marked JSON line back from the child's stdout; everything else the child prints
// goes to the parent's stderr, so `--json` keeps stdout clean.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ContenderName = 'engine' | 'naive' | 'sdk' | 'bulk';

export interface ContenderJob {
  contender: ContenderName;
  /** Contains the webhook secret of a local throw-away portal; sent on stdin, never printed. */
  webhookUrl: string;
  caCertificatePem?: string;
  chatIds: number[];
  timeScale: number;
  operatingBudgetSeconds: number;
  /** The portal's operating window, portal seconds (default 600). */
  operatingWindowSeconds?: number;
  /** Naive: wait before retrying a 503/429. */
  retryDelayMs?: number;
  /** Engine: print the request timeline (sends, settlements, the engine's view of the operating level). */
  trace?: boolean;
  /** Bulk: data folder for the journal. */
  dataDir?: string;
}

export interface ChatTrace {
  chatId: number;
  /** Ms from the start of the run until the chat's call settled. */
  doneAtMs: number;
  /** HTTP requests spent on the chat, retries included. */
  requests: number;
}

export interface ContenderResult {
  elapsedMs: number;
  /** Requests the client says it sent (null when it cannot tell). */
  clientRequests: number | null;
  /** Failures as the client reported them; chatId null when the client cannot say which chat. */
  failures: Array<{ chatId: number | null; code: string }>;
  /** Peak resident set of the child process before and after the run, bytes. */
  rssBeforeBytes: number;
  peakRssBytes: number;
  notes: string[];
  trace?: ChatTrace[];
  /** Bulk: the run's own summary (counts by state, verification). */
  summary?: Record<string, unknown>;
}

export const RESULT_MARKER = '@@bench-result ';

const CHILD = fileURLToPath(new URL('./contender.ts', import.meta.url));

export function runContender(job: ContenderJob, extraEnv: Record<string, string> = {}): Promise<ContenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...extraEnv },
    });
    let buffer = '';
    let result: ContenderResult | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith(RESULT_MARKER)) result = JSON.parse(line.slice(RESULT_MARKER.length)) as ContenderResult;
        else if (line.trim() !== '') process.stderr.write(`  [${job.contender}] ${line}\n`);
        newline = buffer.indexOf('\n');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (result) resolve(result);
      else reject(new Error(`The ${job.contender} contender exited with code ${code} without a result`));
    });
    child.stdin.end(JSON.stringify(job));
  });
}
