// `npm test`: type checks, lint, and every test. Installs the npm packages first on a fresh clone.
import { ensureDependencies, run } from './ensure-deps.mjs';

ensureDependencies();
const npx = 'npx';
run('Type check (tsc -b: shared, node, web)', npx, ['tsc', '-b']);
run('Lint (eslint)', npx, ['eslint', '--max-warnings=0', '.']);
run('Unit, property and integration tests (vitest)', npx, ['vitest', 'run']);
