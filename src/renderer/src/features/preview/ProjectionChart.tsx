import { Line } from 'react-chartjs-2';
import type { PlanPreview } from '../../../../shared/api';
import { SERIES_COLOR } from '../../charts';
import { formatCredits, formatInstant } from '../../ui';

/** Projected remaining credits per bucket at each upcoming point, from the recent daily rate. */
export function ProjectionChart({ projection, timeZone }: { projection: PlanPreview['projection']; timeZone: string }) {
  const labels = Array.from(new Set(projection.flatMap((bucket) => bucket.points.map((point) => point.at)))).sort();
  if (labels.length === 0) return <p className="state state-empty">Nothing to project yet.</p>;
  const summary = projection
    .map((bucket) => `${bucket.bucket === 'ALL' ? 'All channels' : bucket.bucket}: ${bucket.runsOutOn ? `runs out on ${bucket.runsOutOn}` : 'lasts through the projection'}`)
    .join('; ');
  return (
    <div className="chart-box">
      <Line
        role="img"
        aria-label={`Projected remaining credits. ${summary}.`}
        data={{
          labels: labels.map((at) => formatInstant(at, timeZone)),
          datasets: projection.map((bucket) => {
            const byAt = new Map(bucket.points.map((point) => [point.at, point.remaining]));
            return {
              label: bucket.bucket === 'ALL' ? 'All channels' : bucket.bucket,
              data: labels.map((at) => byAt.get(at) ?? null),
              borderColor: SERIES_COLOR[bucket.bucket],
              backgroundColor: SERIES_COLOR[bucket.bucket],
              spanGaps: true,
              tension: 0,
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
          scales: { y: { beginAtZero: true, title: { display: true, text: 'Projected remaining credits' }, ticks: { precision: 0 } } },
        }}
      />
    </div>
  );
}
