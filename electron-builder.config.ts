import type { Configuration } from 'electron-builder';
import { PACKAGED_SQLITE_BINDING } from './src/main/host/native-sqlite';

/**
 * Packaging the desktop console (`npm run dist`: electron-vite build, then electron-builder) for
 * Linux (AppImage, deb), Windows (NSIS installer) and macOS (dmg, zip), into dist/.
 *
 * The Electron fuses are flipped in the packaged binary (@electron/fuses, through
 * electron-builder): it cannot be started as a plain Node.js (ELECTRON_RUN_AS_NODE), nor take
 * NODE_OPTIONS or --inspect arguments — each would let another program run its own code with
 * the console's access to the ledger and the sync token; cookies are encrypted with the
 * operating system's keys; the app loads only from its ASAR archive, whose integrity is checked.
 */
export const electronFuses = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // The screens come through the app's own protocol, never file://.
  grantFileProtocolExtraPrivileges: false,
} as const satisfies NonNullable<Configuration['electronFuses']>;

const config: Configuration = {
  appId: 'com.creditplans.console',
  productName: 'Credit Plan Console',
  copyright: 'Credit Plan Console',
  directories: { output: 'dist', buildResources: 'resources' },
  // The build (out/) and package.json; electron-builder adds the production dependencies. Not
  // better-sqlite3's Node build and sources: the package carries its Electron build instead.
  files: ['out/**', 'package.json', '!node_modules/better-sqlite3/{build,deps,src}/**', '!**/*.{map,md,ts}', '!**/{test,tests,__tests__}/**'],
  asar: true,
  // better-sqlite3 for Electron's ABI: the beforeBuild hook builds it beside the Node build
  // (scripts/electron-sqlite.mjs) and answers false, so electron-builder does not rebuild
  // node_modules in place — that would leave the tests and the web host with Electron's ABI.
  npmRebuild: true,
  beforeBuild: 'scripts/package-sqlite.mjs',
  extraResources: [
    // `${os}-${arch}`: where the hook staged the binding for this target (mac, win or linux).
    { from: 'node_modules/.cache/electron-sqlite/package/${os}-${arch}/better_sqlite3.node', to: PACKAGED_SQLITE_BINDING },
  ],
  electronFuses,
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'resources/icons',
    category: 'Office',
    executableName: 'credit-plan-console',
    maintainer: 'Credit Plan Console maintainers',
    synopsis: 'Admin console for messaging-space credit plans',
  },
  win: {
    target: ['nsis'],
    icon: 'resources/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  mac: {
    target: ['dmg', 'zip'],
    icon: 'resources/icon.icns',
    category: 'public.app-category.business',
    hardenedRuntime: true,
  },
};

export default config;
