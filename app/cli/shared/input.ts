// What a command reads besides argv: stdin, a yes/no on the terminal, and secrets. A secret comes from a prompt
// with echo off, or from stdin when piped; never from a flag, since argv is visible to every user of the machine.
import { createInterface } from 'node:readline/promises';
import type { OAuthSecret } from '../../core/keychain/profile-secrets.ts';
import { UsageError } from '../command.ts';

/** All of stdin, as sent. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal (the question on stderr); true only for y or yes. */
export async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

// Flags that look like they carry a secret are refused outright, before anything else is read.
const SECRET_FLAGS = /^--(webhook(-url)?|url|secret|code|client-secret|token|access-token|refresh-token|password)(=|$)/;

export function refuseSecretFlags(argv: readonly string[]): void {
  const secretFlag = argv.find((arg) => SECRET_FLAGS.test(arg));
  if (secretFlag) {
    throw new UsageError(
      `${secretFlag.split('=')[0]} is not accepted: secrets are never taken from the command line (other users can ` +
        'see it). Pipe the webhook URL on stdin or type it at the prompt.',
    );
  }
}

/** One line of secret: a hidden prompt on a terminal, the first line of stdin otherwise. */
export async function readSecretText(prompt: string): Promise<string> {
  const text = process.stdin.isTTY ? await promptHidden(prompt) : ((await readStdin()).trim().split(/\r?\n/)[0] ?? '');
  if (!text.trim()) throw new UsageError('No secret was given (type it at the prompt or pipe it on stdin).');
  return text.trim();
}

/** Three hidden prompts on a terminal; piped, one JSON object {"clientSecret","accessToken","refreshToken"}. */
export async function readOAuthSecret(): Promise<OAuthSecret> {
  if (process.stdin.isTTY) {
    const clientSecret = await promptHidden('OAuth client secret: ');
    const accessToken = await promptHidden('Access token: ');
    const refreshToken = await promptHidden('Refresh token: ');
    if (!clientSecret || !accessToken || !refreshToken) throw new UsageError('All three OAuth secrets are needed.');
    return { kind: 'oauth', clientSecret, tokens: { accessToken, refreshToken } };
  }
  const text = (await readStdin()).trim();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError('stdin: expected a JSON object {"clientSecret","accessToken","refreshToken"}.');
  }
  const { clientSecret, accessToken, refreshToken, expiresAt } = (raw ?? {}) as Record<string, unknown>;
  if (typeof clientSecret !== 'string' || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new UsageError('stdin: the JSON object needs string fields clientSecret, accessToken and refreshToken.');
  }
  if (!clientSecret || !accessToken || !refreshToken) throw new UsageError('All three OAuth secrets are needed.');
  return {
    kind: 'oauth',
    clientSecret,
    tokens: { accessToken, refreshToken, ...(typeof expiresAt === 'number' ? { expiresAt } : {}) },
  };
}

/** Reads a line from the terminal with echo off; the prompt goes to stderr so stdout stays clean for --json. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
