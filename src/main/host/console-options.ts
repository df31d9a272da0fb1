import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROLES, type Caller } from '../../shared/api';

/** What `npm start -- …` accepts; both hosts read the same options. */
export interface ConsoleOptions {
  /** Force the web host even where Electron could run. */
  web: boolean;
  /** The web host's port; 0 picks a free one; null: the default port, or any free one if it is taken. */
  port: number | null;
  /** Start with an empty ledger instead of the first-start demo environment. */
  empty: boolean;
  caller: Caller;
  /** Overrides the data folder (like CREDIT_CONSOLE_DATA_DIR). */
  dataDir: string | null;
  help: boolean;
}

export const DEFAULT_WEB_PORT = 5180;

/**
 * A caller as a host may establish it: the services record the actor in every history row and
 * outbox change, so it is never empty and never longer than the contract's actor filter.
 */
export const callerSchema = z.object({
  actor: z.string().trim().min(1, 'the actor must not be empty').max(200, 'the actor is too long'),
  role: z.enum(ROLES),
});

const optionsSchema = z.object({
  web: z.boolean().default(false),
  port: z.coerce
    .number({ message: '--port needs a number' })
    .int('--port needs a whole number')
    .min(0, '--port must be between 0 and 65535')
    .max(65_535, '--port must be between 0 and 65535')
    .optional(),
  empty: z.boolean().default(false),
  help: z.boolean().default(false),
  role: z.enum(ROLES, { message: `--role must be one of ${ROLES.join(', ')}` }).default('admin'),
  actor: z.string().trim().min(1, '--actor must not be empty').max(200, '--actor is too long').optional(),
  'data-dir': z.string().min(1).optional(),
});

export type ParsedOptions = { ok: true; options: ConsoleOptions } | { ok: false; message: string };

function defaultActor(): string {
  try {
    return os.userInfo().username || 'local admin';
  } catch {
    return 'local admin';
  }
}

/**
 * `strict` is off inside Electron, whose command line also carries Chromium switches.
 * The caller is chosen here, by whoever starts the host, never by a command's input.
 */
export function parseConsoleOptions(args: readonly string[], { strict = true } = {}): ParsedOptions {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict,
      allowPositionals: !strict,
      options: {
        web: { type: 'boolean' },
        port: { type: 'string' },
        empty: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        role: { type: 'string' },
        actor: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    }));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('; ') };
  const { web, port, empty, help, role, actor } = parsed.data;
  return {
    ok: true,
    options: {
      web,
      port: port ?? null,
      empty,
      help,
      caller: { actor: actor ?? defaultActor(), role },
      dataDir: parsed.data['data-dir'] ?? null,
    },
  };
}

export const USAGE = `Options (after \`npm start --\`):
  --web              use the web host even where Electron can run
  --port N           web host port (default ${DEFAULT_WEB_PORT}, or any free one if taken; 0 picks a free one)
  --empty            start with an empty ledger instead of the demo environment
  --role R           admin | account_manager | support (default admin)
  --actor NAME       who the changes are recorded as (default: your user name)
  --data-dir PATH    where the ledger lives (or set CREDIT_CONSOLE_DATA_DIR)
  --help             this text`;
