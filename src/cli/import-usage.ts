/**
 * `npm run import-usage -- [options] FILE`: import usage events from a CSV or JSON Lines file
 * into the console's ledger, with progress on standard error and a report at the end.
 *
 * Options:
 *   --ledger FILE     the ledger file (default: ledger.sqlite in the console's data folder)
 *   --data-dir DIR    the console's data folder (default: CREDIT_CONSOLE_DATA_DIR or the
 *                     per-user folder the console uses)
 *   --actor NAME      who imports (recorded with the import; default: your user name)
 *   --json            print the report as one JSON document
 *
 * Exit status: 0 every row imported (or already there), 1 some rows were bad (the good ones are
 * kept; each bad row is listed with its line number), 2 nothing was imported (wrong options,
 * unreadable file, wrong header, or a ledger the console refuses to open).
 */
import { userInfo } from 'node:os';
import path from 'node:path';
import { LedgerOpenError, openLedger } from '../main/ledger';
import { LEDGER_FILE, resolveDataDir } from '../main/host';
import { ApiFailure } from '../shared/api';
import { createServices } from '../main/services';

const USAGE = 'usage: npm run import-usage -- [--ledger FILE | --data-dir DIR] [--actor NAME] [--json] FILE';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

interface Options {
  file: string;
  ledger: string;
  actor: string;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  let file: string | null = null;
  let ledger: string | null = null;
  let dataDir: string | null = null;
  let actor: string | null = null;
  let json = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) fail(`${arg} needs a value\n${USAGE}`);
      i += 1;
      return next;
    };
    if (arg === '--ledger') ledger = value();
    else if (arg === '--data-dir') dataDir = value();
    else if (arg === '--actor') actor = value();
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg.startsWith('--')) fail(`unknown option ${arg}\n${USAGE}`);
    else if (file === null) file = arg;
    else fail(`one file at a time (got ${file} and ${arg})\n${USAGE}`);
  }
  if (file === null) fail(USAGE);
  if (ledger !== null && dataDir !== null) fail('give --ledger or --data-dir, not both');
  const resolvedLedger = ledger ?? path.join(dataDir ?? resolveDataDir({ env: process.env }), LEDGER_FILE);
  let name = actor;
  if (name === null) {
    try {
      name = userInfo().username;
    } catch {
      name = 'command line';
    }
  }
  return { file, ledger: path.resolve(resolvedLedger), actor: name, json };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let ledger;
  try {
    ledger = openLedger(options.ledger);
  } catch (error) {
    if (error instanceof LedgerOpenError) fail(error.message);
    throw error;
  }
  const services = createServices({ ledger, clock: () => Date.now() });
  const tty = process.stderr.isTTY === true;
  let lastShown = 0;
  const started = performance.now();
  try {
    const report = await services.usage.importFile(path.resolve(options.file), options.actor, (p) => {
      const share = p.bytesTotal ? p.bytesRead / p.bytesTotal : 0;
      const line = `${p.rowsRead.toLocaleString('en-US')} rows read · ${megabytes(p.bytesRead)}${p.bytesTotal ? ` of ${megabytes(p.bytesTotal)} (${Math.floor(share * 100)} %)` : ''}`;
      if (tty) process.stderr.write(`\r${line}${p.done ? '\n' : ''}`);
      else if (p.done || share - lastShown >= 0.1) {
        lastShown = share;
        process.stderr.write(`${line}\n`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const out = [
        `Imported ${path.basename(options.file)} into ${options.ledger} in ${seconds.toFixed(1)} s (import ${report.importId}):`,
        `  rows read:          ${report.rowsRead.toLocaleString('en-US')}`,
        `  new events:         ${report.inserted.toLocaleString('en-US')}`,
        `  already imported:   ${report.duplicates.toLocaleString('en-US')}`,
        `  rejected by a plan: ${report.rejectedByPlan.toLocaleString('en-US')}`,
        `  bad rows (skipped): ${report.badRows.length.toLocaleString('en-US')}${report.badRowsTruncated ? '+' : ''}`,
      ];
      const shown = report.badRows.slice(0, 20);
      for (const bad of shown) out.push(`    line ${bad.line}: ${bad.reason}`);
      if (report.badRows.length > shown.length || report.badRowsTruncated) out.push(`    … and more; use --json for the first ${report.badRows.length}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }
    process.exitCode = report.badRows.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ApiFailure) fail(error.message);
    throw error;
  } finally {
    ledger.close();
  }
}

await main();
