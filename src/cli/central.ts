/**
 * `npm run central [-- --port N --host H --data-dir DIR]` starts the central service.
 * `npm run central:token -- --role admin --env ENV_ID [--env …] [--name NAME]` (or `--all-envs`)
 * creates a bearer token and prints it once.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createToken, openDatabase, readConfig, startCentral, type CommandLine } from '../central';
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
  const central = await startCentral({ config });
  central.app.log.info(
    { url: central.url, database: central.db.kind, dataDir: config.databaseUrl ? null : config.dataDir, smtp: config.smtp ? `${config.smtp.host}:${config.smtp.port}` : null },
    'central service listening',
  );
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

async function token(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      env: { type: 'string', multiple: true },
      'all-envs': { type: 'boolean' },
      name: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const role = z.enum(CENTRAL_ROLES).safeParse(values.role);
  if (!role.success) fail(`--role must be one of ${CENTRAL_ROLES.join(', ')}`);
  const environments = (values.env ?? []).flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean);
  if (values['all-envs'] && environments.length > 0) fail('give either --env ENV_ID… or --all-envs, not both');
  if (!values['all-envs'] && environments.length === 0) fail('name the environments the token may see: --env ENV_ID (repeatable) or --all-envs');
  const config = readConfig(process.env, values['data-dir'] ? { dataDir: values['data-dir'] } : {});
  const { db, release } = await openDatabase(config);
  try {
    const name = values.name ?? `${role.data} token`;
    const created = await createToken(db, { name, role: role.data, environments: values['all-envs'] ? null : environments }, Date.now());
    process.stdout.write(`${created.secret}\n`);
    process.stderr.write(
      `created token ${created.id} (${name}): role ${role.data}, environments ${values['all-envs'] ? 'all' : environments.join(', ')}. It is shown only now.\n`,
    );
  } finally {
    await release();
  }
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'token' ? token(rest) : serve(command === 'serve' || command === undefined ? rest : [command, ...rest]);
run.catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
