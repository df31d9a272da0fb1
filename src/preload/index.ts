import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_PREFIX, IPC_INVOKE_CHANNEL, isCommandName, isEventName, type Result } from '../shared/api';
import type { CreditConsoleBridge } from './bridge';

/**
 * The whole surface the screens get in Electron: `window.creditConsole = { invoke, subscribe }`.
 * Nothing else of Node or Electron crosses the bridge, only the contract's own channels can be
 * used (the allow-list is the contract's table), and the IPC event object (which exposes the
 * sender) is never handed to the page. Its type, `CreditConsoleBridge`, is declared in bridge.ts;
 * the parameters here stay `unknown` because a compromised page may pass anything.
 */
const bridge = {
  invoke(name: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return Promise.resolve({ ok: false, error: { kind: 'validation', message: `Unknown command ${JSON.stringify(name)}.` } });
    }
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, input) as Promise<Result<unknown>>;
  },
  subscribe(event: unknown, listener: unknown): () => void {
    if (!isEventName(event)) throw new TypeError(`Unknown event ${JSON.stringify(event)}.`);
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function.');
    const channel = IPC_EVENT_PREFIX + event;
    const forward = (_event: IpcRendererEvent, payload: unknown) => {
      (listener as (payload: unknown) => void)(payload);
    };
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
} satisfies CreditConsoleBridge;

contextBridge.exposeInMainWorld('creditConsole', bridge);
