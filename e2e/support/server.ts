/**
 * The web host the e2e suite drives: a fresh data folder with an empty ledger, one fixture
 * environment with a space per spec, and a secret for each of the three roles. Run with tsx;
 * prints one line `E2E_READY {json}` once it listens, and stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '../../src/shared/api';
import { openConsole } from '../../src/main/host';
import { getEnvironment, insertEnvironment, insertSpace, insertSpaceChannel, openLedger } from '../../src/main/ledger';
import { startWebHost } from '../../src/main/web-host';
import { CALLERS, FIXTURE_ENVIRONMENT, FIXTURE_SPACES, type FixtureSpace, type ServerInfo } from './callers';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fixture organisation, written with the ledger's own repository functions (the contract has no command to create spaces: they come from the central service). */
function seedFixture(ledgerPath: string): { environmentId: string; spaces: Record<FixtureSpace, string> } {
  const ledger = openLedger(ledgerPath);
  const now = Date.now();
  const environmentId = 'env-e2e';
  const spaces = {} as Record<FixtureSpace, string>;
  for (const name of FIXTURE_SPACES) spaces[name] = `space-${name.toLowerCase()}`;
  try {
    // A restart on the same data folder (the bench does that) keeps the fixture it already has.
    if (getEnvironment(ledger, environmentId)) return { environmentId, spaces };
    ledger.transaction(() => {
      insertEnvironment(ledger, { id: environmentId, name: FIXTURE_ENVIRONMENT, demo: false, createdAt: now });
      for (const name of FIXTURE_SPACES) {
        const id = spaces[name];
        insertSpace(ledger, {
          id,
          environmentId,
          name: `${name} Space`,
          accountManager: { name: 'Alex Manager', email: 'alex.manager@example.com' },
          createdAt: now,
        });
        insertSpaceChannel(ledger, id, { channel: 'SMS', bidirectional: true, addedAt: now });
        insertSpaceChannel(ledger, id, { channel: 'WhatsApp', bidirectional: true, addedAt: now });
        insertSpaceChannel(ledger, id, { channel: 'Email', bidirectional: false, addedAt: now });
      }
    });
  } finally {
    ledger.close();
  }
  return { environmentId, spaces };
}

async function main(): Promise<void> {
  const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'credit-console-e2e-'));
  const runtime = await openConsole({ dataDir, empty: true });
  // E2E_EMPTY=1: a console as `--empty` starts it, with no environment until it syncs.
  const fixture = process.env.E2E_EMPTY === '1' ? { environmentId: '', spaces: {} as Record<FixtureSpace, string> } : seedFixture(runtime.ledgerPath);
  const roles = Object.keys(CALLERS) as Role[];
  const host = await startWebHost({
    dispatcher: runtime.dispatcher,
    bus: runtime.bus,
    callers: roles.map((role) => CALLERS[role]),
    rendererRoot: path.join(projectRoot, 'out', 'renderer'),
    port: Number(process.env.E2E_PORT ?? 0),
    log: () => {},
  });
  const secrets = {} as Record<Role, string>;
  for (const session of host.sessions) secrets[session.caller.role] = session.secret;
  const info: ServerInfo = { origin: host.origin, secrets, ...fixture, dataDir, pid: process.pid };
  console.log(`E2E_READY ${JSON.stringify(info)}`);

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await host.close();
  runtime.close();
  if (!process.env.E2E_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(`e2e server could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
