import { useEffect, useState } from 'react';
import type { HistoryFilter } from '../../../../shared/api';
import type * as DatesModule from './dates';
import type { HistoryFilterForm } from './store';

/** What dates.ts offers; the module itself is loaded on demand. */
export type HistoryDates = typeof DatesModule;

let machineZone: string | undefined;

/**
 * The machine's zone: history dates are the reader's own calendar days. (What
 * Temporal.Now.timeZoneId() answers, read from Intl without loading Temporal.) Read once per
 * page load: building the DateTimeFormat that tells it costs a few ms.
 */
export function localZone(): string {
  machineZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return machineZone;
}

let loaded: HistoryDates | null = null;

/** The conversions if they have loaded already (for code outside React's render). */
export function loadedHistoryDates(): HistoryDates | null {
  return loaded;
}
let loading: Promise<HistoryDates> | null = null;

export function loadHistoryDates(): Promise<HistoryDates> {
  loading ??= import('./dates').then((module) => (loaded = module));
  return loading;
}

/**
 * The date conversions, or null until they have loaded. They are asked for once a date filter
 * is set; the date fields also ask when they get focus or the pointer, so that the module is
 * usually there before a date is picked. Never while the list first renders: loading and
 * evaluating Temporal then would delay the rows.
 */
export function useHistoryDates(needed: boolean): HistoryDates | null {
  const [dates, setDates] = useState<HistoryDates | null>(loaded);
  useEffect(() => {
    if (dates || !needed) return;
    let live = true;
    void loadHistoryDates().then((module) => live && setDates(module));
    return () => {
      live = false;
    };
  }, [dates, needed]);
  return dates;
}

export function needsDates(form: HistoryFilterForm): boolean {
  return form.fromDate !== '' || form.toDate !== '';
}

/**
 * The contract's filter for a space: the "to" date is inclusive, so it ends at the next
 * midnight. null while a date filter is set and the date conversions have not loaded yet.
 */
export function toHistoryFilter(spaceId: string, form: HistoryFilterForm, dates: HistoryDates | null, zone?: string): HistoryFilter | null {
  const filter: HistoryFilter = { spaceId };
  if (needsDates(form)) {
    if (dates === null) return null;
    // Asked only here: the first call builds a DateTimeFormat, a few ms the unfiltered list need not pay.
    const timeZone = zone ?? localZone();
    const from = form.fromDate ? dates.startOfDay(form.fromDate, timeZone) : null;
    const to = form.toDate ? dates.startOfNextDay(form.toDate, timeZone) : null;
    if (from !== null) filter.from = from;
    if (to !== null) filter.to = to;
  }
  if (form.planId) filter.planId = form.planId;
  if (form.action) filter.action = form.action;
  const actor = form.actor.trim();
  if (actor) filter.actor = actor;
  return filter;
}
