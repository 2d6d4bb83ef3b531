// `npm start`: build main, preload and renderer, then open the desktop app. Where the Electron runtime is not
// installed (node_modules/electron/path.txt missing, e.g. no download was possible), say so in one line and serve
// the same console to a browser instead; either way it runs on the demo portal when no profile exists.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function build() {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  for (const args of [['build', '--mode', 'main'], ['build', '--mode', 'preload'], ['build']]) {
    const result = spawnSync(process.execPath, [vite, ...args, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`npm start: \`vite ${args.join(' ')}\` failed.`);
      process.exit(result.status ?? 1);
    }
  }
}

/** The Electron binary when its runtime was downloaded, else null. */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (!existsSync(path.join(dir, 'path.txt'))) return null;
  const binary = require('electron');
  return typeof binary === 'string' && existsSync(binary) ? binary : null;
}

function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

build();
const electron = electronBinary();
if (electron) {
  // ELECTRON_RUN_AS_NODE would make the binary a plain Node: never inherit it.
  const { ELECTRON_RUN_AS_NODE: _ignored, ...env } = process.env;
  run(electron, ['.'], env);
} else {
  console.log(
    'Open Lines Console: the Electron runtime is not installed here (node_modules/electron/path.txt is missing), so the console opens in your browser instead.',
  );
  run(process.execPath, [path.join(root, 'bin', 'openlines.js'), 'serve']);
}
