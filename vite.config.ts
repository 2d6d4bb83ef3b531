import { builtinModules } from 'node:module';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

// One config, three targets: `vite build --mode main`, `--mode preload`, and the default renderer build.
const root = import.meta.dirname;
const nodeExternals = ['electron', 'keytar', 'ws', /^node:/, ...builtinModules];

function mainProcess(): UserConfig {
  return {
    build: {
      ssr: true,
      target: 'node20',
      outDir: 'dist/main',
      emptyOutDir: true,
      sourcemap: true,
      rollupOptions: {
        input: { main: path.join(root, 'app/main/main.ts') },
        external: nodeExternals,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  };
}

function preload(): UserConfig {
  return {
    // A sandboxed preload can require only `electron`: everything else (the contract, zod) is bundled in.
    ssr: { noExternal: true },
    build: {
      ssr: true,
      target: 'node20',
      outDir: 'dist/preload',
      emptyOutDir: true,
      rollupOptions: {
        input: { preload: path.join(root, 'app/preload/preload.ts') },
        external: ['electron'],
        // Sandboxed preloads must be a single CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  };
}

function renderer(): UserConfig {
  return {
    root: path.join(root, 'renderer'),
    base: './',
    plugins: [react()],
    build: { outDir: path.join(root, 'dist/renderer'), emptyOutDir: true, target: 'chrome130' },
  };
}

export default defineConfig(({ mode }) => {
  const target = mode === 'main' ? mainProcess() : mode === 'preload' ? preload() : renderer();
  return {
    ...target,
    test: {
      root,
      include: ['app/**/*.test.ts', 'renderer/**/*.test.ts', 'scripts/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  };
});
