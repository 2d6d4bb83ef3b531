// Issue #9: a locked Secret Service is not "no secret". Real `openlines profiles` processes in a private D-Bus
// session whose gnome-keyring is locked halfway through, as a screen lock or a timeout would lock it.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { secretCode } from '../core/profiles/test-support.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'openlines-locked-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

// Each step prints a marker line, then the command's own output; the exit code follows as `<step>=<code>`.
const SCRIPT = `
echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
step() { name=$1; shift; echo "@@ $name"; "$@" 2>&1; echo "@@ $name=$?"; }
openlines() { node bin/openlines.js profiles "$@"; }
printf '%s' "$WEBHOOK" | step add openlines add --name Locked --id locked --json
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
step remove openlines remove locked
step list openlines list --json
step readd openlines add --name Other --id other --portal other.example.com --user-id 7 --no-secret --json
echo -n pw | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null 2>&1
step unlocked openlines list --json
`;

function steps(stdout: string): Record<string, { code: number; output: string }> {
  const result: Record<string, { code: number; output: string }> = {};
  for (const match of stdout.matchAll(/^@@ (\w+)\n([\s\S]*?)^@@ \1=(\d+)$/gm)) {
    result[match[1] as string] = { output: match[2] as string, code: Number(match[3]) };
  }
  return result;
}

it('reports a locked keychain as locked: remove fails with exit 3 and keeps the profile and its entry', () => {
  const code = secretCode();
  const child = spawnSync('dbus-run-session', ['--', 'sh', '-c', SCRIPT], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: root,
      XDG_DATA_HOME: path.join(root, 'xdg'),
      OPENLINES_HOME: path.join(root, 'data'),
      WEBHOOK: `https://locked.example.com/rest/3/${code}/`,
    },
    timeout: 120_000,
  });
  const ran = steps(child.stdout);
  expect(Object.keys(ran), child.stdout + child.stderr).toEqual(['add', 'remove', 'list', 'readd', 'unlocked']);
  expect(ran.add?.code).toBe(0);

  // Removal cannot delete the entry: it says so, exits 3 and removes nothing.
  expect(ran.remove?.code).toBe(3);
  expect(ran.remove?.output).toMatch(/could not be removed: the OS keychain is not available \(the keychain is locked/);
  expect(ran.remove?.output).not.toMatch(/Removed/);
  // Listing does not claim the secret is missing: it cannot know.
  const listed = JSON.parse(ran.list?.output ?? '{}');
  expect(listed.profiles).toEqual([expect.objectContaining({ id: 'locked', secret: 'unknown' })]);
  // Offline work goes on while the keychain is locked.
  expect(ran.readd?.code).toBe(0);

  // Unlocked again, the entry is still there, and the profile added meanwhile has none of it.
  const unlocked = JSON.parse(ran.unlocked?.output ?? '{}');
  expect(unlocked.profiles).toEqual([
    expect.objectContaining({ id: 'locked', secret: 'stored' }),
    expect.objectContaining({ id: 'other', secret: 'missing' }),
  ]);
  expect(child.stdout + child.stderr).not.toContain(code);
}, 150_000);
