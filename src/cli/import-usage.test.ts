import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
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

  it('reports a line too long for a usage row as a bad row (exit 1) and imports the rows around it', () => {
    const file = join(dir, 'long-line.csv');
    const long = `x1,SP-1,SMS,MT,1,2026-01-10T09:00:00Z,${'n'.repeat(2 * 1024 * 1024)}`;
    writeFileSync(file, ['id,spaceId,channel,direction,credits,occurredAt', 'l1,SP-1,SMS,MT,1,2026-01-10T09:00:00Z', long, 'l2,SP-1,SMS,MT,1,2026-01-10T09:01:00Z', ''].join('\n'));
    const result = cli('--ledger', ledgerPath, file);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/new events: +2/);
    expect(result.stdout).toMatch(/line 3: the line is longer than 1,048,576 characters, too long for a usage row; it was skipped/);
  });

  it('documents its exit statuses in --help', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const status of ['0  every row imported', '1  some rows were bad', '2  nothing was imported', '3  the import stopped partway']) expect(help.stdout).toContain(status);
  });

  // A real full disk: a 3 MB tmpfs in a mount namespace of the CLI's own (gone with it).
  // (The probe mounts one too: a container may allow the namespace but not the mount.)
  const namespaces = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d" && rmdir "$d"']).status === 0;
  it.skipIf(!namespaces)(`exits 3 on a full disk with one clear line saying what was saved, which is what the ledger holds${namespaces ? '' : ' (skipped: no tmpfs can be mounted here, unshare -rm + mount fails)'}`, () => {
    const file = join(dir, 'many.csv');
    const lines = ['id,spaceId,channel,direction,credits,occurredAt'];
    for (let i = 0; i < 150_000; i += 1) lines.push(`d${i},SP-1,SMS,MT,1,2026-01-0${1 + (i % 9)}T10:00:00Z`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const seeded = join(dir, 'seeded.sqlite');
    copyFileSync(ledgerPath, seeded);
    const disk = join(dir, 'disk');
    const count = `const D = require('better-sqlite3'); const db = new D(process.argv[1], { readonly: true }); console.log('EVENTS=' + db.prepare("SELECT count(*) AS n FROM usage_events WHERE id LIKE 'd%'").get().n); console.log('STATUS=' + db.prepare("SELECT status FROM imports ORDER BY ref DESC LIMIT 1").get().status);`;
    const script = [
      `mkdir -p "${disk}"`,
      `mount -t tmpfs -o size=3m tmpfs "${disk}"`,
      `cp "${seeded}" "${disk}/ledger.sqlite"`,
      `"${process.execPath}" --import tsx src/cli/import-usage.ts --ledger "${disk}/ledger.sqlite" "${file}"`,
      'echo "EXIT=$?"',
      `"${process.execPath}" -e ${JSON.stringify(count)} "${disk}/ledger.sqlite"`,
    ].join(' && ').replace(' && echo', '; echo');
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    const exit = /EXIT=(\d+)/.exec(result.stdout)?.[1];
    expect(exit, result.stderr).toBe('3');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const said = /The import stopped: the disk is full \(the ledger could not grow\)\. The first ([\d,]+) rows were saved \(([\d,]+) new events/.exec(result.stderr);
    expect(said, result.stderr).not.toBeNull();
    expect(Number(/EVENTS=(\d+)/.exec(result.stdout)?.[1])).toBe(Number(said![2]!.replace(/,/g, '')));
    expect(result.stdout).toMatch(/STATUS=(failed|running)/);
  });
});
