import { events, isEventName, type EventName, type EventPayload } from '../../shared/api';

/** One event as it travels from the services to every connected screen. */
export type ConsoleEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];

export interface EventBus {
  /** Never throws: a malformed event is logged and dropped, a failing listener does not stop the others. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}

export interface EventBusOptions {
  onError?: (error: unknown, context: string) => void;
}

/**
 * The only path from the services to the hosts: the Electron host forwards each event to its
 * windows over IPC, the web host to its server-sent-event streams. Payloads are checked against
 * the contract here, once, so neither host can push something the screens do not expect.
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const listeners = new Set<(event: ConsoleEvent) => void>();
  const onError = options.onError ?? ((error, context) => console.error(`[events] ${context}:`, error));

  function emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (!isEventName(name)) {
      onError(new Error(`unknown event ${JSON.stringify(name)}`), 'emit');
      return;
    }
    const checked = events[name].safeParse(payload);
    if (!checked.success) {
      onError(checked.error, `payload of ${name} breaks its schema`);
      return;
    }
    const event = { name, payload: checked.data } as ConsoleEvent;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        onError(error, `listener for ${name}`);
      }
    }
  }

  function subscribe(listener: (event: ConsoleEvent) => void): () => void {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  return { emit, subscribe };
}
