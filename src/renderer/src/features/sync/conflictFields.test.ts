import { describe, expect, it } from 'vitest';
import { fieldLabel } from '../../../../shared/domain';
import { conflictFieldValue } from './conflictFields';

describe('a conflict in the product’s words', () => {
  it('names each field as the summary step does, never by its key', () => {
    expect(fieldLabel('credits.SMS')).toBe('SMS credits');
    expect(fieldLabel('credits.ALL')).toBe('Credits, all channels (shared pool)');
    expect(fieldLabel('limit')).toBe('Credit limit');
    expect(fieldLabel('status')).toBe('Status');
    expect(fieldLabel('activation.timeZone')).toBe('Time zone');
  });

  it('writes values in words, numbers with thousands separators', () => {
    expect(conflictFieldValue('credits.ALL', 1_500_000)).toBe('1,500,000');
    expect(conflictFieldValue('limit', 'channel_specific')).toBe('Channel Specific');
    expect(conflictFieldValue('status', 'live')).toBe('In force');
    expect(conflictFieldValue('status', 'deleted')).toBe('Deleted');
    expect(conflictFieldValue('renew', 'half_year')).toBe('Yes — Half-year');
    expect(conflictFieldValue('renew', null)).toBe('No');
    expect(conflictFieldValue('overage', true)).toBe('Yes');
    expect(conflictFieldValue('credits.SMS', null)).toBe('Not in this version');
  });
});
