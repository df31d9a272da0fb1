import { Bar } from 'react-chartjs-2';
import { CHANNELS } from '../../../../shared/domain';
import { useCommand } from '../../api';
import { SERIES_COLOR } from '../../charts';
import { ErrorState, formatCredits, Loading } from '../../ui';
import type { TimeWindow } from './timeRanges';

type Grouping = 'day' | 'week' | 'month';

/** Credits used over time per channel, stacked, grouped in the plan's zone. */
export function UsageChart({ planId, window, grouping }: { planId: string; window: TimeWindow; grouping: Grouping }) {
  const series = useCommand('details.usageSeries', { planId, from: window.from, to: window.to, groupBy: grouping }, { keepPrevious: true });
  if (series.isPending) return <Loading what="the usage chart" />;
  if (series.isError) return <ErrorState error={series.error} what="the usage chart" onRetry={() => void series.refetch()} />;
  const points = series.data.points;
  const channels = CHANNELS.filter((channel) => points.some((point) => (point.byChannel[channel] ?? 0) > 0));
  const total = points.reduce((sum, point) => sum + point.total, 0);
  if (points.length === 0 || total === 0) return <p className="state state-empty">No credits were used in this range.</p>;
  const summary = `Credits used per ${grouping} from ${window.fromDate}: ${channels
    .map((channel) => `${channel} ${formatCredits(points.reduce((sum, point) => sum + (point.byChannel[channel] ?? 0), 0))}`)
    .join(', ')}; total ${formatCredits(total)}.`;
  return (
    <div className="chart-box">
      <Bar
        role="img"
        aria-label={summary}
        data={{
          labels: points.map((point) => point.start),
          datasets: channels.map((channel) => ({
            label: channel,
            data: points.map((point) => point.byChannel[channel] ?? 0),
            backgroundColor: SERIES_COLOR[channel],
            stack: 'used',
          })),
        }}
        options={{
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { position: 'bottom' }, tooltip: { mode: 'index', intersect: false } },
          scales: {
            x: { stacked: true, title: { display: true, text: `${grouping === 'day' ? 'Day' : grouping === 'week' ? 'Week starting' : 'Month'} (${series.data.timeZone})` } },
            y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Credits used (MT)' }, ticks: { precision: 0 } },
          },
        }}
      />
    </div>
  );
}
