import { Temporal } from 'temporal-polyfill';
import type { HistoryFilter } from '../../../../shared/api';
import { isIsoDate } from '../../../../shared/engine';
import type { HistoryFilterForm } from './store';

/** The machine's zone: history dates are the reader's own calendar days. */
export function localZone(): string {
  return Temporal.Now.timeZoneId();
}

function startOfDay(date: string, timeZone: string): string {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone }).toInstant().toString();
}

/** The contract's filter for a space: the "to" date is inclusive, so it ends at the next midnight. */
export function toHistoryFilter(spaceId: string, form: HistoryFilterForm, timeZone = localZone()): HistoryFilter {
  const filter: HistoryFilter = { spaceId };
  if (form.fromDate && isIsoDate(form.fromDate)) filter.from = startOfDay(form.fromDate, timeZone);
  if (form.toDate && isIsoDate(form.toDate)) {
    filter.to = startOfDay(Temporal.PlainDate.from(form.toDate).add({ days: 1 }).toString(), timeZone);
  }
  if (form.planId) filter.planId = form.planId;
  if (form.action) filter.action = form.action;
  const actor = form.actor.trim();
  if (actor) filter.actor = actor;
  return filter;
}
