import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, type Ledger } from '../ledger';
import type { OpenOptions } from '../open';

/** Test support: real SQLite files in a fresh temporary folder, and a clock the test moves. */

export interface TempLedger {
  dir: string;
  path: string;
  ledger: Ledger;
  reopen(options?: OpenOptions): Ledger;
  cleanup(): void;
}

export function tempDir(prefix = 'ledger-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempLedger(options: OpenOptions = {}): TempLedger {
  const dir = tempDir();
  const path = join(dir, 'ledger.db');
  const handle: TempLedger = {
    dir,
    path,
    ledger: openLedger(path, options),
    reopen(reopenOptions = {}) {
      handle.ledger.close();
      handle.ledger = openLedger(path, reopenOptions);
      return handle.ledger;
    },
    cleanup() {
      handle.ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface TestClock {
  (): number;
  set(ms: number | string): void;
  advance(ms: number): void;
}

export function testClock(start: number | string): TestClock {
  let now = typeof start === 'string' ? Date.parse(start) : start;
  const clock = (() => now) as TestClock;
  clock.set = (ms) => {
    now = typeof ms === 'string' ? Date.parse(ms) : ms;
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}
