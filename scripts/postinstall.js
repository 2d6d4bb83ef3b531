// Best-effort fetch of what only the desktop runtime and packaging need: the Electron binary and
// Electron's headers. Neither is required for the CLI, the browser host or the tests, so a machine
// without internet access gets one line per missing piece and a successful install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const TIMEOUT_MS = 120_000;

function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null; // production install without devDependencies
  }
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, timeout: TIMEOUT_MS, encoding: 'utf8' });
  return result.status === 0;
}

const electronDir = electronPackageDir();
if (electronDir) {
  const { version } = require('electron/package.json');
  const runtimePresent = existsSync(path.join(electronDir, 'path.txt'));
  if (!runtimePresent && !run(process.execPath, ['install.js'], electronDir)) {
    console.log(
      `Open Lines Console: the Electron ${version} runtime could not be downloaded; \`npm start\` will use the browser host instead.`,
    );
  }
  const nodeGyp = path.join(
    path.dirname(process.execPath),
    '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  );
  const headersFetched =
    existsSync(nodeGyp) &&
    run(
      process.execPath,
      [nodeGyp, 'install', `--target=${version}`, '--dist-url=https://electronjs.org/headers'],
      electronDir,
    );
  if (!headersFetched) {
    console.log(
      `Open Lines Console: Electron ${version} headers could not be fetched; they are needed only by \`npm run package\` to rebuild keytar.`,
    );
  }
}
