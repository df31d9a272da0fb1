import { BarController, Chart as ChartJS, LineController } from 'chart.js';
import { Bar, Chart } from 'react-chartjs-2';
import type { UsageReport, UsageShare } from '../../../../shared/api/usage-report';
import { SERIES_COLOR } from '../../charts';
import { formatCredits } from '../../ui';
import { shareLabel } from './csv';

// A bar chart with a line on it needs both controllers (the shared setup registers only elements).
ChartJS.register(BarController, LineController);

const BUCKET_WORD = { day: 'Day', week: 'Week starting', month: 'Month starting' } as const;

/**
 * Credits over time, stacked by channel per day / week / month, and the total as a dotted line
 * where each dot is a day. The x axis counts days from the range's first day, so a week's or a
 * month's bar spans its days and the daily dots fall inside it.
 */
export function OverTimeChart({ report }: { report: UsageReport }) {
  const dayIndex = new Map(report.daily.map((d, i) => [d.date, i]));
  const days = report.daily.length;
  const ends = report.series.map((point, i) => (i + 1 < report.series.length ? dayIndex.get(report.series[i + 1]!.start)! : days));
  const starts = report.series.map((point) => dayIndex.get(point.start)!);
  const summary = `Credits used per ${report.groupBy} from ${report.fromDate} (${report.timeZone}): ${report.byChannel
    .map((c) => `${c.channel} ${formatCredits(c.used)}`)
    .join(', ')}; total ${formatCredits(report.total.used)}. The dotted line is the total per day.`;
  const dateAt = (x: number): string => report.daily[Math.min(days - 1, Math.max(0, Math.floor(x)))]?.date ?? '';
  return (
    <div className="chart-box" data-testid="usage-over-time-chart">
      <Chart
        type="bar"
        role="img"
        aria-label={summary}
        data={{
          datasets: [
            {
              type: 'line' as const,
              label: 'Total per day',
              data: report.daily.map((d, i) => ({ x: i + 0.5, y: d.total })),
              borderColor: '#0f172a',
              backgroundColor: '#0f172a',
              borderDash: [2, 3],
              borderWidth: 1.5,
              pointRadius: days > 120 ? 1.5 : 3,
              order: 0,
            },
            ...report.channels.map((channel) => ({
              type: 'bar' as const,
              label: channel,
              data: report.series.map((point, i) => ({ x: (starts[i]! + ends[i]!) / 2, y: point.byChannel[channel] ?? 0 })),
              backgroundColor: SERIES_COLOR[channel],
              stack: 'used',
              barPercentage: 0.9,
              categoryPercentage: 1,
              order: 1,
            })),
          ],
        }}
        options={{
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          parsing: { xAxisKey: 'x', yAxisKey: 'y' },
          plugins: {
            legend: { position: 'bottom' },
            tooltip: {
              mode: 'nearest',
              intersect: false,
              callbacks: {
                title: (items) => {
                  const item = items[0];
                  if (!item) return '';
                  if (item.dataset.type === 'line') return report.daily[item.dataIndex]?.date ?? '';
                  return `${BUCKET_WORD[report.groupBy]} ${report.series[item.dataIndex]?.start ?? ''}`;
                },
              },
            },
          },
          scales: {
            x: {
              type: 'linear',
              min: 0,
              max: days,
              offset: false,
              stacked: true,
              title: { display: true, text: `${BUCKET_WORD[report.groupBy]} (${report.timeZone})` },
              ticks: { callback: (value) => dateAt(Number(value)), maxRotation: 0, autoSkipPadding: 16, includeBounds: false },
            },
            y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Credits used (MT)' }, ticks: { precision: 0 } },
          },
        }}
      />
    </div>
  );
}

/** Credits used per identity or campaign: the top ones, "others", and events without one. */
export function ShareChart({ shares, noun, testId }: { shares: UsageShare[]; noun: { one: string; many: string }; testId: string }) {
  const labels = shares.map((share) => shareLabel(share, noun));
  const summary = `Credits used by ${noun.one}: ${shares.map((s, i) => `${labels[i]} ${formatCredits(s.used)}`).join(', ')}.`;
  return (
    <div className="chart-box" style={{ height: `${Math.max(160, 34 * shares.length + 60)}px` }} data-testid={testId}>
      <Bar
        role="img"
        aria-label={summary}
        data={{
          labels,
          datasets: [
            {
              label: 'Credits used (MT)',
              data: shares.map((s) => s.used),
              backgroundColor: shares.map((s) => (s.kind === 'named' ? SERIES_COLOR.ALL : '#64748b')),
            },
          ],
        }}
        options={{
          indexAxis: 'y',
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Credits used (MT)' } } },
        }}
      />
    </div>
  );
}
