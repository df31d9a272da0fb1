import { Line } from 'react-chartjs-2';
import type { PlanPreview } from '../../../../shared/api';
import { SERIES_COLOR } from '../../charts';
import { bucketLabel } from '../../../../shared/domain';
import { formatCredits, formatDay } from '../../ui';

/** Projected remaining credits per bucket, day by day over the listed periods, from the recent daily rate. */
export function ProjectionChart({ projection, timeZone }: { projection: PlanPreview['projection']; timeZone: string }) {
  const labels = Array.from(new Set(projection.flatMap((bucket) => bucket.points.map((point) => point.at)))).sort();
  if (labels.length === 0) return <p className="state state-empty">Nothing to project yet.</p>;
  const summary = projection
    .map((bucket) => `${bucketLabel(bucket.bucket)}: ${bucket.runsOutOn ? `runs out on ${bucket.runsOutOn}` : 'lasts through the projection'}`)
    .join('; ');
  return (
    <div className="chart-box">
      <Line
        role="img"
        aria-label={`Projected remaining credits from ${formatDay(labels[0] ?? '', timeZone)} to ${formatDay(labels.at(-1) ?? '', timeZone)}. ${summary}.`}
        data={{
          labels: labels.map((at) => formatDay(at, timeZone)),
          datasets: projection.map((bucket) => {
            const byAt = new Map(bucket.points.map((point) => [point.at, point.remaining]));
            return {
              label: bucketLabel(bucket.bucket),
              data: labels.map((at) => byAt.get(at) ?? null),
              borderColor: SERIES_COLOR[bucket.bucket],
              backgroundColor: SERIES_COLOR[bucket.bucket],
              spanGaps: true,
              tension: 0,
              // A dot per day hides the line once there are more than a few weeks of them.
              pointRadius: labels.length > 45 ? 0 : 2,
            };
          }),
        }}
        options={{
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { position: 'bottom' },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${formatCredits(Number(item.parsed.y))} remaining` } },
          },
          scales: {
            x: { title: { display: true, text: `Day (${timeZone})` }, ticks: { autoSkip: true, maxRotation: 0 } },
            y: { beginAtZero: true, title: { display: true, text: 'Projected remaining credits' }, ticks: { precision: 0 } },
          },
        }}
      />
    </div>
  );
}
