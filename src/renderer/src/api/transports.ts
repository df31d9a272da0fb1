import type { CommandName, EventName, Result, Transport } from '../../../shared/api';

/** What the preload exposes on `window.creditConsole` (src/preload). */
export interface CreditConsoleBridge {
  invoke(name: string, input: unknown): Promise<unknown>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    creditConsole?: CreditConsoleBridge;
  }
}

const SECRET_KEY = 'creditConsole.secret';

/**
 * The web host puts a per-start secret in the URL fragment (never sent to the server's logs).
 * Keep it for this tab only and take it out of the address bar, so it is not bookmarked or shared.
 */
export function takeSecretFromUrl(): string | null {
  const match = /(?:^#|&)secret=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    window.sessionStorage.setItem(SECRET_KEY, decodeURIComponent(match[1]));
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  }
  return window.sessionStorage.getItem(SECRET_KEY);
}

export function electronTransport(bridge: CreditConsoleBridge): Transport {
  return {
    invoke: (name: CommandName, input: unknown) => bridge.invoke(name, input) as Promise<Result<unknown>>,
    subscribe: (event: EventName, listener: (payload: unknown) => void) => bridge.subscribe(event, listener),
  };
}

/** HTTP + server-sent events against the web host (src/shared/api/README.md). */
export function webTransport(secret: string | null, baseUrl = ''): Transport {
  let source: EventSource | null = null;
  let subscribers = 0;

  function openSource(): EventSource {
    source ??= new EventSource(`${baseUrl}/api/events?secret=${encodeURIComponent(secret ?? '')}`);
    return source;
  }

  return {
    async invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      const response = await fetch(`${baseUrl}/api/invoke/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret ?? ''}` },
        body: JSON.stringify(input ?? {}),
      });
      if (response.status === 401) {
        return { ok: false, error: { kind: 'forbidden', message: 'This console link has expired: open the address the console printed when it started.' } };
      }
      if (!response.ok && response.status !== 200) {
        const text = await response.text().catch(() => '');
        try {
          return JSON.parse(text) as Result<unknown>;
        } catch {
          return { ok: false, error: { kind: 'internal', message: `The console answered ${response.status}.` } };
        }
      }
      return (await response.json()) as Result<unknown>;
    },
    subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
      const es = openSource();
      subscribers += 1;
      const handler = (message: MessageEvent<string>): void => {
        try {
          listener(JSON.parse(message.data));
        } catch {
          // A malformed message is dropped: the next change event refetches anyway.
        }
      };
      es.addEventListener(event, handler as EventListener);
      return () => {
        es.removeEventListener(event, handler as EventListener);
        subscribers -= 1;
        if (subscribers === 0) {
          es.close();
          source = null;
        }
      };
    },
  };
}

/** Electron when the preload bridge exists, the web host otherwise. */
export function pickTransport(): { transport: Transport; kind: 'electron' | 'web' } {
  if (window.creditConsole) return { transport: electronTransport(window.creditConsole), kind: 'electron' };
  return { transport: webTransport(takeSecretFromUrl()), kind: 'web' };
}
