/**
 * `npm run central [-- --port N --host H --data-dir DIR]` starts the central service
 * (`CENTRAL_WORKERS=N` with `DATABASE_URL`: N worker processes on the one port, workers.ts).
 * `npm run central:token -- --role admin --env ENV_ID [--env …] [--name NAME]` (or `--all-envs`)
 * creates a bearer token and prints it once (`--expires 2027-01-01T00:00:00Z` or `--expires 90d`: it
 * stops working then). `npm run central:token -- revoke TOKEN_ID` revokes one.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createToken, isWorkerProcess, openDatabase, readConfig, reportListening, revokeToken, runPrimary, startCentral, type CommandLine } from '../central';
import { parseInstant } from '../shared/engine';
import { CENTRAL_ROLES } from '../shared/sync';

function fail(message: string): never {
  process.stderr.write(`central: ${message}\n`);
  process.exit(2);
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const args: CommandLine = {};
  if (values.port !== undefined) {
    const port = z.coerce.number().int().min(0).max(65535).safeParse(values.port);
    if (!port.success) fail(`--port must be a port number (0-65535), not "${values.port}"`);
    args.port = port.data;
  }
  if (values.host !== undefined) args.host = values.host;
  if (values['data-dir'] !== undefined) args.dataDir = values['data-dir'];
  const config = readConfig(process.env, args);
  if (config.workers > 1 && !isWorkerProcess()) return runPrimary(config, config.workers);
  const central = await startCentral({ config });
  central.app.log.info(
    { url: central.url, database: central.db.kind, dataDir: config.databaseUrl ? null : config.dataDir, smtp: config.smtp ? `${config.smtp.host}:${config.smtp.port}` : null },
    // With several workers the primary says "listening", once all of them are.
    isWorkerProcess() ? 'central worker listening' : 'central service listening',
  );
  if (isWorkerProcess()) reportListening(central.url);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    central.app.log.info({ signal }, 'shutting down');
    central.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** `--expires` as an instant or a number of days from now. */
function expiresMsOf(text: string | undefined, nowMs: number): number | null {
  if (text === undefined) return null;
  const days = /^(\d{1,5})d$/.exec(text);
  const ms = days ? nowMs + Number(days[1]) * 86_400_000 : parseInstant(text);
  if (ms === null || ms <= nowMs) fail(`--expires must be a future instant (2027-01-01T00:00:00Z) or a number of days (90d), not "${text}"`);
  return ms;
}

async function revoke(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) fail('name the token to revoke: npm run central:token -- revoke TOKEN_ID');
  const id = positionals[0]!;
  const config = readConfig(process.env, values['data-dir'] ? { dataDir: values['data-dir'] } : {});
  const { db, release } = await openDatabase(config);
  try {
    const found = await db.query<{ revoked_ms: unknown }>('SELECT revoked_ms FROM tokens WHERE id = $1', [id]);
    if (found.rows.length === 0) fail(`no token ${id}`);
    const revoked = await revokeToken(db, id, Date.now());
    process.stderr.write(revoked ? `revoked token ${id}; it stops working within 2 s on every instance.\n` : `token ${id} was revoked already.\n`);
  } finally {
    await release();
  }
}

async function token(argv: string[]): Promise<void> {
  if (argv[0] === 'revoke') return revoke(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      env: { type: 'string', multiple: true },
      'all-envs': { type: 'boolean' },
      name: { type: 'string' },
      expires: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const expiresMs = expiresMsOf(values.expires, Date.now());
  const role = z.enum(CENTRAL_ROLES).safeParse(values.role);
  if (!role.success) fail(`--role must be one of ${CENTRAL_ROLES.join(', ')}`);
  const environments = (values.env ?? []).flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean);
  if (values['all-envs'] && environments.length > 0) fail('give either --env ENV_ID… or --all-envs, not both');
  if (!values['all-envs'] && environments.length === 0) fail('name the environments the token may see: --env ENV_ID (repeatable) or --all-envs');
  const config = readConfig(process.env, values['data-dir'] ? { dataDir: values['data-dir'] } : {});
  const { db, release } = await openDatabase(config);
  try {
    const name = values.name ?? `${role.data} token`;
    const created = await createToken(db, { name, role: role.data, environments: values['all-envs'] ? null : environments, expiresMs }, Date.now());
    process.stdout.write(`${created.secret}\n`);
    process.stderr.write(
      `created token ${created.id} (${name}): role ${role.data}, environments ${values['all-envs'] ? 'all' : environments.join(', ')}` +
        `${expiresMs === null ? '' : `, expires ${new Date(expiresMs).toISOString()}`}. It is shown only now; revoke it with npm run central:token -- revoke ${created.id}\n`,
    );
  } finally {
    await release();
  }
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'token' ? token(rest) : serve(command === 'serve' || command === undefined ? rest : [command, ...rest]);
run.catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
