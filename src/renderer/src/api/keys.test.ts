import { describe, expect, it } from 'vitest';
// A test, not a screen: the contract's table (with zod) may load here.
import { COMMAND_NAMES } from '../../../shared/api/commands';
import { INVALIDATIONS, isKeyOfFamilies, isKeyOfScope, queryKeys } from './keys';

const key = (name: string): readonly unknown[] => ['api', name, {}];

describe('invalidations, declared once per write command', () => {
  it('name only families and commands of the contract', () => {
    for (const families of Object.values(INVALIDATIONS)) {
      for (const family of families) expect(COMMAND_NAMES.some((name) => name.startsWith(family)), family).toBe(true);
    }
  });

  it('a ledger.changed event refreshes what the local write of that scope refreshes', () => {
    for (const name of COMMAND_NAMES) {
      expect(isKeyOfScope(key(name), 'plans'), name).toBe(isKeyOfFamilies(key(name), INVALIDATIONS['plans.edit']));
      expect(isKeyOfScope(key(name), 'spaces'), name).toBe(isKeyOfFamilies(key(name), INVALIDATIONS['spaces.addChannel']));
      expect(isKeyOfScope(key(name), 'usage'), name).toBe(isKeyOfFamilies(key(name), INVALIDATIONS['usage.record']));
    }
  });

  it('a pull (Sync now) refreshes everything a plan, space or usage change would, the environments included', () => {
    const pulled = INVALIDATIONS['sync.now'];
    for (const name of COMMAND_NAMES) {
      const byLocal = (['plans.edit', 'spaces.addChannel', 'usage.record'] as const).some((write) => isKeyOfFamilies(key(name), INVALIDATIONS[write]));
      if (byLocal) expect(isKeyOfFamilies(key(name), pulled), name).toBe(true);
    }
    expect(isKeyOfFamilies(queryKeys.command('environments.list', {}), pulled)).toBe(true);
    expect(isKeyOfFamilies(queryKeys.command('plans.preview', { spaceId: 's', config: {} }), INVALIDATIONS['usage.import'])).toBe(true);
    expect(isKeyOfFamilies(queryKeys.command('drafts.list', { spaceId: 's' }), pulled)).toBe(false);
  });
});
