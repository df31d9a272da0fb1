import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Rollup } from 'vite';

/**
 * Three builds into out/: the Electron main process (ESM, dependencies left in node_modules),
 * the preload (CommonJS with everything bundled in, because a sandboxed preload can neither
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
      lib: { entry: resolve(root, 'src/main/index.ts') },
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
      rollupOptions: { ...quietRollup, input: resolve(root, 'src/renderer/index.html') },
    },
    plugins: [react()],
  },
});
