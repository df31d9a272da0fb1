import type { BucketStateView } from '../../../../shared/api';
import { bucketLabel, moneyLabel, policyFacts, type PlanConfig } from '../../../../shared/domain';
import { formatCredits } from '../../ui';

/**
 * A plan's SPEC §9 terms among its facts, with where each bucket stands today: the local day's
 * credits against its daily limit (a bucket at its limit refuses the rest of the day's traffic),
 * the period's metered credits and their charge.
 */
export function PolicyFacts({ config, buckets }: { config: PlanConfig; buckets: readonly BucketStateView[] }) {
  const daily = buckets.filter((b) => b.daily !== undefined && b.daily.limit !== null);
  const metered = buckets.filter((b) => b.metered !== undefined);
  const name = (bucket: string) => (config.limit === 'channel_specific' ? `${bucketLabel(bucket)}: ` : '');
  return (
    <>
      {policyFacts(config).map((fact) => (
        <div key={fact.key}>
          <dt>{fact.label}</dt>
          <dd data-testid={`policy-${fact.key}`}>{fact.value}</dd>
        </div>
      ))}
      {daily.length > 0 ? (
        <div>
          <dt>Used today</dt>
          <dd data-testid="daily-use">
            {daily.map((b) => {
              const { limit, used } = b.daily!;
              const reached = limit !== null && used >= limit;
              return (
                <span key={b.bucket} className={reached ? 'daily daily-reached' : 'daily'}>
                  {name(b.bucket)}
                  {formatCredits(used)} of {formatCredits(limit ?? 0)}
                  {reached ? ' — daily limit reached: further traffic today is refused' : ''}
                  {'. '}
                </span>
              );
            })}
          </dd>
        </div>
      ) : null}
      {metered.length > 0 ? (
        <div>
          <dt>Metered this period</dt>
          <dd data-testid="metered-use">
            {metered.map((b) => (
              <span key={b.bucket}>
                {name(b.bucket)}
                {formatCredits(b.metered!.credits)} credits, {moneyLabel(b.metered!.charge)}
                {'. '}
              </span>
            ))}
          </dd>
        </div>
      ) : null}
    </>
  );
}
