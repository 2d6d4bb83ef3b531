// The `openlines` command as scripts run it, for the CLI tests: a child process of bin/openlines.js with stdin piped
// (never a terminal), so a secret or a chat list comes from `input`.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../../bin/openlines.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a test command: its own data folder, and no portal chosen by the developer's shell. */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENLINES_HOME: home };
  delete env.OPENLINES_WEBHOOK_URL;
  delete env.OPENLINES_PROFILE;
  return { ...env, ...extra };
}

export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin?.end(input);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}
