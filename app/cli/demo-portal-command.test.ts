import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { parseDemoPortalArgs } from './demo-portal-command.ts';

const BIN = fileURLToPath(new URL('../../bin/openlines.js', import.meta.url));

describe('openlines demo-portal', () => {
  it('prints the webhook URL, serves it, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'demo-portal', '--port', '0', '--chats', '20'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/127\.0\.0\.1:\d+\/rest\/1\/\w+\/)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
      });
      expect(output.trim().split('\n')).toHaveLength(1);
      const profile = (await (await fetch(`${url}profile`)).json()) as { result: { ID: string } };
      expect(profile.result.ID).toBe('1');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);

  it('refuses bad flags with a usage error', () => {
    for (const argv of [
      ['--plan', 'gold'],
      ['--port', '70000'],
      ['--chats', '60000'],
      ['--time-scale', '0'],
      ['--nope'],
    ]) {
      expect(() => parseDemoPortalArgs(argv)).toThrow(UsageError);
    }
    expect(parseDemoPortalArgs(['--port', '0', '--plan', 'enterprise', '--cost', '0.8', '--tls'])).toEqual({
      port: 0,
      plan: 'enterprise',
      costSeconds: 0.8,
      tls: true,
    });
  });
});
