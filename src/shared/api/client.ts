import type { CommandInput, CommandName, CommandOutput } from './commands';
import { ApiFailure, type Result } from './envelope';
import type { EventName, EventPayload } from './events';

/** How the renderer reaches the main process: Electron's preload bridge or HTTP + SSE. */
export interface Transport {
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export interface ApiClient {
  /** A typed result; never throws for a failure the main process reported. */
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>>;
  /** The value, or an ApiFailure thrown (for React Query, which expects throwing fetchers). */
  get<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function createClient(transport: Transport): ApiClient {
  async function call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandOutput<N>>> {
    try {
      const result = await transport.invoke(name, input);
      if (!isResult(result)) return { ok: false, error: { kind: 'internal', message: 'The console answered in an unknown format.' } };
      return result as Result<CommandOutput<N>>;
    } catch (error) {
      return {
        ok: false,
        error: { kind: 'internal', message: `The console could not be reached (${error instanceof Error ? error.message : String(error)}).` },
      };
    }
  }
  async function get<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
    const result = await call(name, input);
    if (!result.ok) throw new ApiFailure(result.error.kind, result.error.message, result.error);
    return result.value;
  }
  function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return transport.subscribe(event, (payload) => listener(payload as EventPayload<E>));
  }
  return { call, get, on };
}
