import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT_PREFIX, IPC_INVOKE_CHANNEL, fail, type Caller, type Dispatcher } from '../../shared/api';
import type { EventBus } from '../host';
import { isConsoleUrl } from './app-protocol';

/**
 * Commands from a window reach the dispatcher with the caller this app was started as; a frame
 * that is not the console's own page (a navigated-away or embedded frame) is refused.
 */
export function serveDispatcher(dispatcher: Dispatcher, caller: Caller): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isConsoleUrl(frame.url)) {
      return fail('forbidden', 'Only the console’s own page may call it.');
    }
    return dispatcher.dispatch(name, input, caller);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
}

/** Every event of the services goes to every open console window. */
export function forwardEvents(bus: EventBus, windows: () => readonly BrowserWindow[]): () => void {
  return bus.subscribe((event) => {
    for (const window of windows()) {
      if (!window.isDestroyed() && !window.webContents.isDestroyed()) {
        window.webContents.send(IPC_EVENT_PREFIX + event.name, event.payload);
      }
    }
  });
}
