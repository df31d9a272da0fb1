import { CHANNELS, channelCreditsLabel, LIMIT_LABELS } from '../../../../shared/domain';
import { formatCredits, renewLabel, yesNo } from '../../ui/format';

/**
 * A conflict's fields in the product's words, as the wizard's summary step writes them: the main
 * process names them by path (`credits.SMS`, `limit`, `status`) so both sides line up; the
 * screen says "SMS credits", "Channel Specific", "Deleted".
 */
const LABELS: Record<string, string> = {
  status: 'Status',
  limit: 'Credit limit',
  'credits.ALL': 'Credits, all channels (shared pool)',
  renew: 'Renew credits',
  rollover: 'Roll Over credits',
  overage: 'Overage',
  'activation.date': 'Credit Plan Activation',
  'activation.timeZone': 'Time zone',
};

export function conflictFieldLabel(field: string): string {
  const known = LABELS[field];
  if (known !== undefined) return known;
  const channel = /^credits\.(.+)$/.exec(field)?.[1];
  if (channel !== undefined && (CHANNELS as readonly string[]).includes(channel)) return channelCreditsLabel(channel);
  return field;
}

const STATUS_WORDS: Record<string, string> = { live: 'In force', deleted: 'Deleted' };

/** One side's value of a field; null where that side has no such field (a channel it does not cover). */
export function conflictFieldValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return field === 'renew' ? renewLabel(null) : 'Not in this version';
  if (field === 'status' && typeof value === 'string') return STATUS_WORDS[value] ?? value;
  if (field === 'limit' && typeof value === 'string') return (LIMIT_LABELS as Record<string, string>)[value] ?? value;
  if (field === 'renew' && typeof value === 'string') return renewLabel(value as Parameters<typeof renewLabel>[0]);
  if (typeof value === 'boolean') return yesNo(value);
  if (typeof value === 'number') return formatCredits(value);
  return String(value);
}
