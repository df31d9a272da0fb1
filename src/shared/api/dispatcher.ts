import type { z } from 'zod';
import { commands, isCommandName, type CommandName, type CommandOutput, type HandlerInput } from './commands';
import { ApiFailure, fail, ok, type Result } from './envelope';
import type { Caller } from './roles';

/** The main side of one command: receives validated input and the caller the host established. */
export type Handler<N extends CommandName> = (
  input: HandlerInput<N>,
  caller: Caller,
) => Promise<z.input<(typeof commands)[N]['output']>> | z.input<(typeof commands)[N]['output']>;

export type Handlers = { [N in CommandName]: Handler<N> };

export interface Dispatcher {
  /**
   * Never throws: every answer is a typed result, whatever reaches it over IPC or HTTP (a
   * compromised page can send any structured-clone value as a command name or input).
   */
  dispatch(name: unknown, input: unknown, caller: Caller): Promise<Result<unknown>>;
}

export interface DispatcherOptions {
  /** Where unexpected failures are logged (their details never reach the caller). */
  onInternalError?: (error: unknown, command: string) => void;
}

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

const ROLE_NAMES: Record<Caller['role'], string> = {
  admin: 'an admin',
  account_manager: 'an account manager',
  support: 'support staff',
};

export function createDispatcher(handlers: Handlers, options: DispatcherOptions = {}): Dispatcher {
  async function dispatch(name: unknown, input: unknown, caller: Caller): Promise<Result<unknown>> {
    try {
      return await answer(name, input, caller);
    } catch (error) {
      if (error instanceof ApiFailure) return { ok: false, error: error.error };
      options.onInternalError?.(error, typeof name === 'string' ? name.slice(0, 100) : 'unknown command');
      return fail('internal', 'Something went wrong in the console; nothing was changed. The details are in its log.');
    }
  }

  async function answer(name: unknown, input: unknown, caller: Caller): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      // Describe without serializing: a hostile name may be an object JSON cannot encode.
      const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : `of type ${typeof name}`;
      return fail('validation', `Unknown command ${shown}.`);
    }
    const spec = commands[name];
    if (!spec.roles.includes(caller.role)) {
      return fail('forbidden', `As ${ROLE_NAMES[caller.role]} you cannot do this (${spec.summary.replace(/\.$/, '').toLowerCase()}).`);
    }
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      const first = issues[0];
      const where = first && first.path ? `${first.path}: ` : '';
      return fail('validation', `${where}${first?.message ?? 'invalid input'}`, { issues });
    }
    const handler = handlers[name] as (input: unknown, caller: Caller) => unknown;
    const output: unknown = await handler(parsed.data, caller);
    const checked = spec.output.safeParse(output);
    if (!checked.success) {
      options.onInternalError?.(new Error(`output of ${name} breaks its schema: ${checked.error.message}`), name);
      return fail('internal', 'The console produced an answer it could not vouch for; the details are in its log.');
    }
    return ok(checked.data as CommandOutput<typeof name>);
  }
  return { dispatch };
}
