import type { CommandName, EventName, Result } from '../shared/api';

/**
 * What the preload exposes on `window.creditConsole`, declared here beside the preload that
 * builds it (index.ts checks its object against it) and read by the screens as a type only.
 * Kept free of Electron so the renderer's project can include it.
 */
export interface CreditConsoleBridge {
  /** A command of the contract; a name outside it is answered with a validation failure. */
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>>;
  /** Listen to one event of the contract; returns the function that stops listening. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    /** Present in Electron only; the web host's pages use HTTP and server-sent events. */
    creditConsole?: CreditConsoleBridge;
  }
}
