import { useMemo, useState } from 'react';
import { Temporal } from 'temporal-polyfill';
import type { CreditPlan, Space } from '../../../../shared/api';
import { useCommand } from '../../api';
import { ErrorState, formatCredits, Loading } from '../../ui';
import { defaultGrouping, RANGE_KEYS, RANGE_LABEL, rangeWindow, type RangeKey } from './timeRanges';
import { UsageChart } from './UsageChart';

type Grouping = 'day' | 'week' | 'month';

/** "Credits Used by Channel" with its time filter (in the plan's zone), Grand total and chart. */
export function UsedByChannel({ plan, space }: { plan: CreditPlan; space: Space }) {
  const timeZone = plan.config.activation.timeZone;
  const [range, setRange] = useState<RangeKey>('this_month');
  const today = useMemo(() => Temporal.Now.instant().toZonedDateTimeISO(timeZone).toPlainDate().toString(), [timeZone]);
  const [custom, setCustom] = useState({ from: today, to: today });
  const [grouping, setGrouping] = useState<Grouping | null>(null);
  // "Now" is read once per choice of range, so the window does not drift while the screen is open.
  const window = useMemo(() => rangeWindow(range, timeZone, Temporal.Now.instant(), custom), [range, timeZone, custom]);
  const used = useCommand(
    'details.usedByChannel',
    { planId: plan.id, from: window?.from ?? '', to: window?.to ?? '' },
    { enabled: window !== null, keepPrevious: true },
  );
  const rowsByChannel = new Map(used.data?.rows.map((row) => [row.channel, row]));
  const channels = plan.config.limit === 'all_channels' ? space.channels.map((channel) => channel.channel) : (Object.keys(plan.config.credits) as Space['uncoveredChannels']);
  for (const row of used.data?.rows ?? []) if (!channels.includes(row.channel)) channels.push(row.channel);

  return (
    <section aria-labelledby="used-by-channel-title" className="panel">
      <h2 id="used-by-channel-title">Credits Used by Channel</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="used-range">Time filter</label>
          <select id="used-range" value={range} onChange={(event) => setRange(event.target.value as RangeKey)} aria-describedby="used-range-hint">
            {RANGE_KEYS.map((key) => (
              <option key={key} value={key}>
                {RANGE_LABEL[key]}
              </option>
            ))}
          </select>
        </div>
        {range === 'custom' ? (
          <>
            <div className="field">
              <label htmlFor="used-from">From</label>
              <input id="used-from" type="date" value={custom.from} onChange={(event) => setCustom((c) => ({ ...c, from: event.target.value }))} />
            </div>
            <div className="field">
              <label htmlFor="used-to">To (inclusive)</label>
              <input id="used-to" type="date" value={custom.to} onChange={(event) => setCustom((c) => ({ ...c, to: event.target.value }))} />
            </div>
          </>
        ) : null}
        <p id="used-range-hint" className="hint" data-testid="used-window">
          {window ? `${window.fromDate} to ${Temporal.PlainDate.from(window.toDateExclusive).subtract({ days: 1 }).toString()}, in ${timeZone}` : 'Choose a start date on or before the end date.'}
        </p>
      </div>
      {window === null ? null : used.isPending ? (
        <Loading what="credits used" />
      ) : used.isError ? (
        <ErrorState error={used.error} what="credits used" onRetry={() => void used.refetch()} />
      ) : (
        <table className="data-table" aria-label="Credits used by channel" aria-busy={used.isPlaceholderData}>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col" className="num">Credits used (MT)</th>
              <th scope="col" className="num">MO messages (free)</th>
            </tr>
          </thead>
          <tbody>
            {channels.map((channel) => (
              <tr key={channel} data-channel={channel}>
                <th scope="row">{channel}</th>
                <td className="num">{formatCredits(rowsByChannel.get(channel)?.used ?? 0)}</td>
                <td className="num">{formatCredits(rowsByChannel.get(channel)?.moMessages ?? 0)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="grand-total">
              <th scope="row">Grand total</th>
              <td className="num">{formatCredits(used.data.grandTotal)}</td>
              <td className="num">{formatCredits(used.data.rows.reduce((sum, row) => sum + row.moMessages, 0))}</td>
            </tr>
          </tfoot>
        </table>
      )}
      {window ? (
        <>
          <div className="chart-head">
            <h3 id="usage-chart-title">Credits used over time</h3>
            <div className="field inline">
              <label htmlFor="usage-grouping">Group by</label>
              <select id="usage-grouping" value={grouping ?? defaultGrouping(window)} onChange={(event) => setGrouping(event.target.value as Grouping)}>
                <option value="day">Day</option>
                <option value="week">Week</option>
                <option value="month">Month</option>
              </select>
            </div>
          </div>
          <UsageChart planId={plan.id} window={window} grouping={grouping ?? defaultGrouping(window)} />
        </>
      ) : null}
    </section>
  );
}
