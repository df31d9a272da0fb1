import { LIMIT_LABELS } from '../../../../shared/domain';
import { formatCredits, renewLabel, yesNo } from '../../ui/format';

const STATUS_WORDS: Record<string, string> = { live: 'In force', deleted: 'Deleted' };

/**
 * One side's value of a conflict's field, in words (the field's own name is the domain's
 * `fieldLabel`, as everywhere); null where that side has no such field (a channel it does not cover).
 */
export function conflictFieldValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return field === 'renew' ? renewLabel(null) : 'Not in this version';
  if (field === 'status' && typeof value === 'string') return STATUS_WORDS[value] ?? value;
  if (field === 'limit' && typeof value === 'string') return (LIMIT_LABELS as Record<string, string>)[value] ?? value;
  if (field === 'renew' && typeof value === 'string') return renewLabel(value as Parameters<typeof renewLabel>[0]);
  if (typeof value === 'boolean') return yesNo(value);
  if (typeof value === 'number') return formatCredits(value);
  return String(value);
}
