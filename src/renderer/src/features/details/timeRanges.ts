import { Temporal } from 'temporal-polyfill';

export const RANGE_KEYS = ['today', 'yesterday', 'this_week', 'last_week', 'this_month', 'last_month', 'this_year', 'custom'] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];

export const RANGE_LABEL: Record<RangeKey, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  this_week: 'This week',
  last_week: 'Last week',
  this_month: 'This month',
  last_month: 'Last month',
  this_year: 'This year',
  custom: 'Custom range',
};

/** A window of local days [fromDate, toDateExclusive) and the UTC instants it spans. */
export interface TimeWindow {
  fromDate: string;
  toDateExclusive: string;
  from: string;
  to: string;
}

function instantOf(date: Temporal.PlainDate, timeZone: string): string {
  // Temporal resolves a midnight inside a daylight-saving gap to the first instant after it (SPEC §3).
  return date.toZonedDateTime({ timeZone }).toInstant().toString();
}

function windowOf(from: Temporal.PlainDate, toExclusive: Temporal.PlainDate, timeZone: string): TimeWindow {
  return {
    fromDate: from.toString(),
    toDateExclusive: toExclusive.toString(),
    from: instantOf(from, timeZone),
    to: instantOf(toExclusive, timeZone),
  };
}

/**
 * The calendar window a filter names, in the PLAN's zone (not the reader's): "today" for a plan in
 * Mexico City is Mexico City's day. Weeks start on Monday (ISO). A custom range includes its last day.
 */
export function rangeWindow(
  key: RangeKey,
  timeZone: string,
  now: Temporal.Instant,
  custom?: { from: string; to: string },
): TimeWindow | null {
  const today = now.toZonedDateTimeISO(timeZone).toPlainDate();
  switch (key) {
    case 'today':
      return windowOf(today, today.add({ days: 1 }), timeZone);
    case 'yesterday':
      return windowOf(today.subtract({ days: 1 }), today, timeZone);
    case 'this_week': {
      const monday = today.subtract({ days: today.dayOfWeek - 1 });
      return windowOf(monday, monday.add({ weeks: 1 }), timeZone);
    }
    case 'last_week': {
      const monday = today.subtract({ days: today.dayOfWeek - 1 });
      return windowOf(monday.subtract({ weeks: 1 }), monday, timeZone);
    }
    case 'this_month': {
      const first = today.with({ day: 1 });
      return windowOf(first, first.add({ months: 1 }), timeZone);
    }
    case 'last_month': {
      const first = today.with({ day: 1 });
      return windowOf(first.subtract({ months: 1 }), first, timeZone);
    }
    case 'this_year': {
      const first = today.with({ month: 1, day: 1 });
      return windowOf(first, first.add({ years: 1 }), timeZone);
    }
    case 'custom': {
      if (!custom) return null;
      try {
        const from = Temporal.PlainDate.from(custom.from, { overflow: 'reject' });
        const to = Temporal.PlainDate.from(custom.to, { overflow: 'reject' });
        if (Temporal.PlainDate.compare(from, to) > 0) return null;
        return windowOf(from, to.add({ days: 1 }), timeZone);
      } catch {
        return null;
      }
    }
  }
}

/** A sensible chart grouping for a window's length. */
export function defaultGrouping(window: TimeWindow): 'day' | 'week' | 'month' {
  const days = Temporal.PlainDate.from(window.fromDate).until(Temporal.PlainDate.from(window.toDateExclusive)).days;
  if (days <= 62) return 'day';
  if (days <= 190) return 'week';
  return 'month';
}
