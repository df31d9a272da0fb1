import type { CreditPlan, PlanStateView } from '../../../../shared/api';
import { useCommand } from '../../api';
import { bucketLabel } from '../../../../shared/domain';
import { formatCredits, formatDay } from '../../ui';


/** "60 of 100 consumed, 40 left (100 allocated + 62,455 rolled over)" for one bucket of the current period. */
export function consumptionLine(bucket: PlanStateView['buckets'][number]): string {
  const parts = [`${formatCredits(bucket.allocation)} allocated`];
  if (bucket.carriedIn > 0) parts.push(`${formatCredits(bucket.carriedIn)} rolled over`);
  if (bucket.overage.added > 0) parts.push(`${formatCredits(bucket.overage.added)} overage`);
  const made = parts.length > 1 ? ` (${parts.join(' + ')})` : '';
  return `${bucketLabel(bucket.bucket)}: ${formatCredits(bucket.used)} of ${formatCredits(bucket.allocated)} consumed, ${formatCredits(bucket.remaining)} left${made}`;
}

/**
 * Step 1 of an edit: what the current period has consumed so far, before the admin types new
 * credits (which are the period's new total allocation, consumption included: SPEC §5).
 */
export function EditConsumption({ plan }: { plan: CreditPlan }) {
  const state = useCommand('details.state', { planId: plan.id });
  if (!state.data) return null;
  const { period, buckets } = state.data;
  const zone = plan.config.activation.timeZone;
  return (
    <div className="notice" role="note" aria-label="Consumed so far" data-testid="edit-consumed">
      {period === null ? (
        <p>The plan has not started yet: nothing has been consumed.</p>
      ) : (
        <>
          <p>
            <strong>
              This period so far (since {formatDay(period.start, zone)}
              {period.end ? `, until ${formatDay(period.end, zone)}` : ''}):
            </strong>
          </p>
          <ul>
            {buckets.map((bucket) => (
              <li key={bucket.bucket} data-testid={`consumed-${bucket.bucket}`}>
                {consumptionLine(bucket)}
              </li>
            ))}
          </ul>
          <p>The credits you enter are the new total of this period, what was already consumed included.</p>
        </>
      )}
    </div>
  );
}
