import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../main/ledger';
import { tempDir } from '../main/ledger/testing';
import { createServices } from '../main/services';

let dir: string;
let ledgerPath: string;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/import-usage.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = tempDir('import-cli-');
  ledgerPath = join(dir, 'ledger.sqlite');
  const ledger = openLedger(ledgerPath);
  const services = createServices({ ledger, clock: () => Date.now() });
  services.org.createEnvironment({ id: 'ENV-1', name: 'Production' });
  services.org.createSpace({ id: 'SP-1', environmentId: 'ENV-1', name: 'Retail', accountManager: { name: 'Ana', email: 'ana@example.com' }, channels: [{ channel: 'SMS', bidirectional: true }] });
  ledger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run import-usage', () => {
  it('imports a file, lists bad rows with their line, and exits 1 when some rows were bad', () => {
    const file = join(dir, 'usage.csv');
    writeFileSync(file, 'id,spaceId,channel,direction,credits,occurredAt\nc1,SP-1,SMS,MT,2,2026-01-10T09:00:00Z\nc2,SP-1,Fax,MT,1,2026-01-10T09:00:00Z\nc3,SP-1,SMS,MO,1,2026-01-10T09:01:00Z\n');
    const first = cli('--ledger', ledgerPath, '--actor', 'ops', file);
    expect(first.status).toBe(1);
    expect(first.stdout).toMatch(/new events: +2/);
    expect(first.stdout).toMatch(/line 3: channel: "Fax" is not a channel/);
    expect(first.stderr).toMatch(/3 rows read/);
    const again = cli('--ledger', ledgerPath, '--json', file);
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ rowsRead: 3, inserted: 0, duplicates: 2 });
  });

  it('exits 2 with one clear line for a wrong header, a missing file, or a ledger it must not touch', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,space,channel\n');
    const header = cli('--ledger', ledgerPath, bad);
    expect(header.status).toBe(2);
    expect(header.stderr).toMatch(/Nothing was imported: line 1: the CSV header lacks spaceId, occurredAt/);
    expect(cli('--ledger', ledgerPath, join(dir, 'nope.csv')).stderr).toMatch(/cannot read/);
    const notLedger = join(dir, 'notes.txt');
    writeFileSync(notLedger, 'my notes');
    const refused = cli('--ledger', notLedger, bad);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/not an SQLite database.*left untouched/);
    expect(cli().status).toBe(2);
  });
});
