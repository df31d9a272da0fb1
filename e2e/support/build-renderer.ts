/**
 * Build only the screens, with the renderer section of electron.vite.config.ts, so the e2e
 * suite does not depend on the main-process build (which the web host does not use: it runs
 * from source through tsx).
 */
import { build, type InlineConfig } from 'vite';
import config from '../../electron.vite.config';

const renderer = (config as { renderer?: InlineConfig }).renderer;
if (!renderer) throw new Error('electron.vite.config.ts has no renderer section');
// One bundle is intended (the console is local); the size warning is noise here.
await build({ ...renderer, build: { ...renderer.build, chunkSizeWarningLimit: 2048 }, configFile: false, mode: 'production', logLevel: 'warn' });
