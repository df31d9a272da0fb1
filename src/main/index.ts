// Electron's main entry (built by electron-vite into out/main/index.js). The web host has its
// own entry, src/main/web-host/cli.ts; both run the same services from src/main/host.
import { runElectronConsole } from './electron';

runElectronConsole();
