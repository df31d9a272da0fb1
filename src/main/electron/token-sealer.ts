import { safeStorage } from 'electron';
import type { TokenSealer } from '../sync';

/**
 * The central service's token sealed with Electron's safeStorage: the macOS Keychain, Windows
 * DPAPI, or the Linux secret service (libsecret / kwallet). Call after the app is ready.
 * On Linux without a secret service safeStorage falls back to a key written in Chromium's own
 * source ("basic_text"), which protects nothing: the token then stays as it is, in the ledger
 * file only its owner can read, as in the web host.
 */
export function electronTokenSealer(): TokenSealer | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform === 'darwin' ? 'keychain' : 'dpapi';
  if (backend === 'basic_text' || backend === 'unknown') return null;
  return {
    name: `Electron safeStorage (${backend})`,
    seal: (token) => safeStorage.encryptString(token),
    unseal: (sealed) => safeStorage.decryptString(sealed),
  };
}
