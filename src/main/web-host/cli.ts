// The web host's entry: `npm start` runs it (built into out/main/web-host.js) where Electron
// cannot run, or when asked with `npm start -- --web`. It serves the same services as the
// Electron host to a browser. It also runs from source (tsx), e.g. in tests.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WEB_PORT, USAGE, openConsole, parseConsoleOptions, resolveDataDir } from '../host';
import { startWebHost, type WebHost } from './server';
import { warmUp } from './warm-up';

/** The folder holding package.json above this file: src/main/web-host from source, out/main when built. */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..', '..');
  }
}

/** How long the warm-up waits for a browser to ask for the page's script before it starts anyway. */
const WARM_UP_UNASKED_MS = 1_000;

const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

async function main(): Promise<number> {
  const parsed = parseConsoleOptions(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(`${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = options.dataDir ?? resolveDataDir({ env: process.env });
  const runtime = await openConsole({
    dataDir,
    empty: options.empty,
    onSeeding: () => console.log('First start: creating the demo environment (a few seconds)…'),
  });
  const hostOptions = {
    dispatcher: runtime.dispatcher,
    bus: runtime.bus,
    callers: [options.caller],
    rendererRoot: path.join(projectRoot, 'out', 'renderer'),
    // Once the page's script has left: the browser then spends a few hundred ms evaluating it
    // before it reads anything, time the warm-up fills. Started at once, it held up the page
    // and its script (tens of ms) behind its first, slowest calls.
    onScriptSent: () => startWarmUp(),
  };
  let warming = false;
  const startWarmUp = (): void => {
    if (warming) return;
    warming = true;
    void warmUp(runtime.dispatcher, options.caller).catch(() => {});
  };
  let host: WebHost;
  try {
    // The default port is only a preference: a busy one is not waited for.
    host = await startWebHost({ ...hostOptions, port: options.port ?? DEFAULT_WEB_PORT, ...(options.port === null ? { busyPortRetries: 0 } : {}) });
  } catch (error) {
    if (options.port !== null) throw error;
    // The default port is only a preference: take any free one rather than fail.
    host = await startWebHost({ ...hostOptions, port: 0 });
  }
  const [session] = host.sessions;
  console.log(
    [
      '',
      `Credit Plan Console (web host) — acting as ${options.caller.actor} (${options.caller.role})`,
      `  ledger: ${runtime.ledgerPath}${runtime.seededDemo ? '  (demo environment created)' : ''}`,
      '',
      '  Open this address in your browser (it carries this run’s secret; keep it to yourself):',
      '',
      `    ${session?.url ?? host.origin}`,
      '',
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  // No browser yet after a moment (the address is opened later): warm up anyway, meanwhile.
  setTimeout(startWarmUp, WARM_UP_UNASKED_MS).unref();

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  runtime.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`The console could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
