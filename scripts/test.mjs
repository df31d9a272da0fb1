// `npm test`: type checks, lint, every unit/property/integration test, and the end-to-end specs
// in a real Chromium. Installs the npm packages first on a fresh clone.
import { existsSync } from 'node:fs';
import { ensureDependencies, run } from './ensure-deps.mjs';

ensureDependencies();
run('Type check (tsc -b: shared, node, web)', 'npx', ['tsc', '-b']);
run('Lint (eslint)', 'npx', ['eslint', '--max-warnings=0', '.']);
run('Unit, property and integration tests (vitest)', 'npx', ['vitest', 'run']);

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.env.SKIP_E2E === '1') {
  console.log('\n▶ End-to-end tests skipped (SKIP_E2E=1).');
} else if (!existsSync(chromium)) {
  console.error(
    `\n✖ End-to-end tests need Chromium at ${chromium} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH).\n` +
      '  Set SKIP_E2E=1 to run everything else.',
  );
  process.exit(1);
} else {
  run('End-to-end tests (Playwright in Chromium against the web host)', 'npx', ['playwright', 'test']);
}
