import { Temporal } from 'temporal-polyfill';
import { isIsoDate } from '../../../../shared/engine/calendar';

/**
 * Calendar days to instants, for the history's date filters. Loaded on its own (filter.ts
 * imports it lazily): the Temporal polyfill is a large part of the script, and the Credits tab
 * needs it only once a date filter is set.
 */

/** The instant a calendar day (YYYY-MM-DD) starts in a zone; null when it is not a date. */
export function startOfDay(date: string, timeZone: string): string | null {
  if (!isIsoDate(date)) return null;
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone }).toInstant().toString();
}

/** The instant the day after it starts: a "to" day is included up to its end. */
export function startOfNextDay(date: string, timeZone: string): string | null {
  if (!isIsoDate(date)) return null;
  return Temporal.PlainDate.from(date).add({ days: 1 }).toZonedDateTime({ timeZone }).toInstant().toString();
}
