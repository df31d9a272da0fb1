import type { CreditPlan, PlanStateView } from '../../../../shared/api';
import { useCommand } from '../../api';
import { formatCredits, formatInstant } from '../../ui';

const bucketName = (bucket: string): string => (bucket === 'ALL' ? 'Shared pool' : bucket);

/**
 * Add-on credits (SPEC §9.2–9.3): per bucket, plan credits + add-on credits = available, and
 * every top-up and charge-now given to the plan — who, when, what, price, when it expires and
 * what is left of it this period.
 */
export function AddOnCredits({ plan, state }: { plan: CreditPlan; state: PlanStateView }) {
  const credits = useCommand('plans.credits', { planId: plan.id });
  const withTopUps = state.buckets.filter((bucket) => bucket.topUps !== undefined);
  const left = new Map<string, number>();
  for (const bucket of withTopUps)
    for (const lot of bucket.topUps?.lots ?? [])
      left.set(lot.id, (left.get(lot.id) ?? 0) + lot.left);
  const zone = plan.config.activation.timeZone;
  if (withTopUps.length === 0 && (credits.data?.length ?? 0) === 0) return null;
  return (
    <>
      {withTopUps.length > 0 ? (
        <>
          <h3 className="subheading">Available: plan credits + add-on credits</h3>
          <table className="data-table" aria-label="Available credits">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col" className="num">
                  Plan credits left
                </th>
                <th scope="col" className="num">
                  Add-on credits left
                </th>
                <th scope="col" className="num">
                  Available
                </th>
              </tr>
            </thead>
            <tbody>
              {withTopUps.map((bucket) => (
                <tr key={bucket.bucket} data-bucket={bucket.bucket}>
                  <th scope="row">{bucketName(bucket.bucket)}</th>
                  <td className="num">{formatCredits(bucket.remaining)}</td>
                  <td className="num" data-testid={`addon-remaining-${bucket.bucket}`}>
                    + {formatCredits(bucket.topUps?.remaining ?? 0)}
                    <span className="hint">
                      {' '}
                      (of {formatCredits(bucket.topUps?.available ?? 0)},{' '}
                      {formatCredits(bucket.topUps?.used ?? 0)} used)
                    </span>
                  </td>
                  <td className="num" data-testid={`available-${bucket.bucket}`}>
                    = {formatCredits(bucket.remaining + (bucket.topUps?.remaining ?? 0))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {credits.data && credits.data.length > 0 ? (
        <>
          <h3 className="subheading">Add-on credits given (top-ups and charge-nows)</h3>
          <table className="data-table" aria-label="Add-on credits given">
            <thead>
              <tr>
                <th scope="col">Given</th>
                <th scope="col">What</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num">
                  Left
                </th>
                <th scope="col" className="num">
                  Price
                </th>
              </tr>
            </thead>
            <tbody>
              {credits.data.map((credit) => {
                const added = Object.entries(credit.credits).filter(([, n]) => (n ?? 0) > 0);
                return (
                  <tr key={credit.id} data-credit={credit.id}>
                    <td>
                      {formatInstant(credit.at, zone)}{' '}
                      <span className="hint">by {credit.actor}</span>
                    </td>
                    <td>
                      {credit.kind === 'charge_now'
                        ? `Charge now (week ${credit.week?.week ?? '?'} of ${credit.week?.weeks ?? '?'}): `
                        : 'Top-up: '}
                      {added
                        .map(([bucket, n]) => `${formatCredits(n ?? 0)} ${bucketName(bucket)}`)
                        .join(', ')}
                    </td>
                    <td>{credit.expires === 'never' ? 'Never' : 'End of its period'}</td>
                    <td className="num">
                      {left.has(credit.id) ? (
                        formatCredits(left.get(credit.id) ?? 0)
                      ) : (
                        <span className="hint">none (spent or expired)</span>
                      )}
                    </td>
                    <td className="num">
                      {credit.price ? `${credit.price.amount} ${credit.price.currency}` : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
