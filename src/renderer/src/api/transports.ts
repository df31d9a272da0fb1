import type { CreditConsoleBridge } from '../../../preload/bridge';
import type { CommandName, EventName, Result, Transport } from '../../../shared/api';
import { MAX_BATCH_CALLS, WEB_BATCH_PATH } from '../../../shared/api/constants';

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
    invoke: (name, input) => bridge.invoke(name, input),
    subscribe: (event, listener) => bridge.subscribe(event, listener),
  };
}

interface QueuedCall {
  name: CommandName;
  input: unknown;
  resolve: (result: Result<unknown>) => void;
  reject: (error: unknown) => void;
}

const EXPIRED: Result<unknown> = {
  ok: false,
  error: { kind: 'forbidden', message: 'This console link has expired: open the address the console printed when it started.' },
};

/** A refusal's envelope (the web host sends one with every non-200 status), or one that names the status. */
async function refusal(response: Response): Promise<Result<unknown>> {
  if (response.status === 401) return EXPIRED;
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text) as Result<unknown>;
  } catch {
    return { ok: false, error: { kind: 'internal', message: `The console answered ${response.status}.` } };
  }
}

const UNKNOWN_FORMAT: Result<unknown> = { ok: false, error: { kind: 'internal', message: 'The console answered in an unknown format.' } };

function isResultList(value: unknown, length: number): value is { results: Result<unknown>[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { results } = value as { results?: unknown };
  return Array.isArray(results) && results.length === length;
}

/**
 * HTTP + server-sent events against the web host (src/shared/api/README.md). Calls made in the
 * same turn (a screen's first reads, started together) travel as one request to WEB_BATCH_PATH:
 * each request from the browser costs several ms of its own before the host even sees it.
 */
export function webTransport(secret: string | null, baseUrl = ''): Transport & { sendQueued(): void } {
  let source: EventSource | null = null;
  let subscribers = 0;
  let queue: QueuedCall[] = [];
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${secret ?? ''}` };

  function openSource(): EventSource {
    source ??= new EventSource(`${baseUrl}/api/events?secret=${encodeURIComponent(secret ?? '')}`);
    return source;
  }

  /** The answer's JSON, or the refusal's envelope. */
  async function post(path: string, body: unknown): Promise<{ ok: true; json: unknown } | { ok: false; failure: Result<unknown> }> {
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (response.status !== 200) return { ok: false, failure: await refusal(response) };
    return { ok: true, json: await response.json() };
  }

  async function sendOne(call: QueuedCall): Promise<Result<unknown>> {
    const answer = await post(`/api/invoke/${encodeURIComponent(call.name)}`, call.input ?? {});
    return answer.ok ? (answer.json as Result<unknown>) : answer.failure;
  }

  async function sendBatch(calls: QueuedCall[]): Promise<Result<unknown>[]> {
    const answer = await post(WEB_BATCH_PATH, { calls: calls.map((call) => ({ name: call.name, input: call.input ?? {} })) });
    if (!answer.ok) return calls.map(() => answer.failure);
    return isResultList(answer.json, calls.length) ? answer.json.results : calls.map(() => UNKNOWN_FORMAT);
  }

  function send(calls: QueuedCall[]): void {
    const answers = calls.length === 1 && calls[0] ? sendOne(calls[0]).then((result) => [result]) : sendBatch(calls);
    answers.then(
      (results) => calls.forEach((call, index) => call.resolve(results[index] ?? UNKNOWN_FORMAT)),
      (error: unknown) => calls.forEach((call) => call.reject(error)),
    );
  }

  function flush(): void {
    const calls = queue;
    queue = [];
    for (let start = 0; start < calls.length; start += MAX_BATCH_CALLS) send(calls.slice(start, start + MAX_BATCH_CALLS));
  }

  return {
    invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      return new Promise((resolve, reject) => {
        queue.push({ name, input, resolve, reject });
        // Sent once the current turn's code has run, with whatever else it asked for meanwhile.
        if (queue.length === 1) queueMicrotask(flush);
      });
    },
    /**
     * Send what has been asked for so far now, not at the end of the turn: the page's first
     * reads are asked for while its script is still being evaluated, a turn that lasts until
     * all of it (React DOM included) has run.
     */
    sendQueued: flush,
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
export function pickTransport(): { transport: Transport; sendQueued: () => void } {
  // Electron's calls go one by one over IPC: nothing is queued there.
  if (window.creditConsole) return { transport: electronTransport(window.creditConsole), sendQueued: () => {} };
  const transport = webTransport(takeSecretFromUrl());
  return { transport, sendQueued: transport.sendQueued };
}
