// `npm test`: lint, type-check, unit and integration tests, build, end-to-end tests. The profile tests need a
// real Secret Service, so when none answers this script re-runs itself inside a private D-Bus session with an
// unlocked gnome-keyring.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

async function keychainAnswers() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS && process.platform === 'linux') return false;
  try {
    const keytar = require('keytar');
    await keytar.findCredentials('openlines-console-probe');
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

if (process.platform === 'linux' && !process.env.OPENLINES_TEST_KEYRING && !(await keychainAnswers())) {
  if (!onPath('dbus-run-session') || !onPath('gnome-keyring-daemon')) {
    console.error('npm test: no Secret Service answers and dbus-run-session or gnome-keyring-daemon is missing.');
    console.error('Install them with: apt-get install -y dbus gnome-keyring libsecret-1-dev');
    process.exit(1);
  }
  // The keyring lives in a throw-away folder: the tests never touch a login keyring of this machine's user, and a
  // keyring left by an earlier run with another password cannot refuse the unlock.
  const keyringHome = mkdtempSync(path.join(os.tmpdir(), 'openlines-test-keyring-'));
  const inner =
    'echo -n openlines | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec node scripts/test.js "$@"';
  const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner, 'test', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, OPENLINES_TEST_KEYRING: '1', XDG_DATA_HOME: keyringHome },
  });
  rmSync(keyringHome, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

const steps = [
  ['lint', 'npx', ['biome', 'check', '.']],
  ['type-check', 'npx', ['tsc', '-b']],
  // Built before the unit tests: the tests of `openlines serve` and the host start it on the built renderer.
  ['build', 'npm', ['run', 'build', '--silent']],
  ['unit and integration tests', 'npx', ['vitest', 'run']],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
];
const only = process.argv[2];
for (const [name, command, args] of steps) {
  if (only && !name.startsWith(only)) continue;
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`npm test: ${name} failed.`);
    process.exit(result.status ?? 1);
  }
}
