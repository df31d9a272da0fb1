import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKED_ROOTS, findCycles } from './import-cycles';

const dir = mkdtempSync(path.join(os.tmpdir(), 'import-cycles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import cycles', () => {
  it('finds a cycle through a folder index and a type-only import, and none in a chain', () => {
    writeFileSync(path.join(dir, 'index.ts'), "export { a } from './a';\n");
    writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport const a = (b: B): B => b;\n");
    writeFileSync(path.join(dir, 'b.ts'), "import { a } from '.';\nexport type B = typeof a;\n");
    writeFileSync(path.join(dir, 'c.ts'), "import { a } from './a';\nexport const c = a;\n");
    expect(findCycles([dir]).map((cycle) => cycle.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts', 'index.ts']]);
  });

  it('the project has none', () => {
    const cycles = findCycles(CHECKED_ROOTS).map((cycle) => cycle.map((f) => path.relative(path.dirname(CHECKED_ROOTS[0]!), f)).join(' ↔ '));
    expect(cycles).toEqual([]);
  });
});
