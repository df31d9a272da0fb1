import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Rollup } from 'vite';

/**
 * Three builds into out/: the Electron main process and the web host's entry (ESM; pure-JS
 * dependencies bundled in, native ones such as better-sqlite3 left in node_modules), the preload (CommonJS with everything bundled in, because a sandboxed preload can neither
 * load ES modules nor require packages), and the renderer (served by both hosts).
 */
const root = dirname(fileURLToPath(import.meta.url));

/** zod's sources carry comments Rollup cannot place; the warning is about them, not about us. */
const onwarn: Rollup.WarningHandlerWithDefault = (warning, warn) => {
  if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
  warn(warning);
};
const quietRollup = { onwarn };

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The web host (out/main/web-host.js) is built beside Electron's entry so `npm start -- --web`
      // runs plain JavaScript: compiling the TypeScript at each start (tsx) cost seconds.
      // The usage import's parser thread is its own entry: a worker is started from a script file.
      lib: {
        entry: {
          index: resolve(root, 'src/main/index.ts'),
          'web-host': resolve(root, 'src/main/web-host/cli.ts'),
          'usage-parse-worker': resolve(root, 'src/main/usage-import/parse.worker.ts'),
        },
      },
      // Loading zod and the Temporal polyfill file by file through Node's ESM loader took
      // ~150 ms of every start; bundled, they are one file. Native modules stay external.
      externalizeDeps: { exclude: ['zod', 'temporal-polyfill'] },
      rollupOptions: { ...quietRollup },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        ...quietRollup,
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // Minified, the script the browser downloads and parses at every start is a third of the size.
      minify: true,
      rollupOptions: { ...quietRollup, input: resolve(root, 'src/renderer/index.html') },
    },
    plugins: [react()],
  },
});
