// `serve` must work from a fresh clone: when dist/renderer has no index.html, build it first with Vite. Vite's
// output goes to stderr so that stdout keeps the one line the host prints.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The repository (or installed package) root: app/host is two levels below it. */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RENDERER_ROOT = path.join(PACKAGE_ROOT, 'dist', 'renderer');

export function rendererBuilt(root: string = RENDERER_ROOT): boolean {
  return existsSync(path.join(root, 'index.html'));
}

export async function buildRenderer(packageRoot: string = PACKAGE_ROOT): Promise<void> {
  const require = createRequire(path.join(packageRoot, 'package.json'));
  let viteBin: string;
  try {
    viteBin = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    throw new Error('The renderer is not built (dist/renderer is missing) and Vite is not installed to build it.');
  }
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build'], {
      cwd: packageRoot,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (status !== 0) throw new Error(`Building the renderer failed (vite build exited with ${status}).`);
}
