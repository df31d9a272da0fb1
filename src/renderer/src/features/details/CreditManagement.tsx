import type { CreditPlan, PlanStateView, Space } from '../../../../shared/api';
import type { Channel } from '../../../../shared/domain';
import { useCommand } from '../../api';
import { formatCredits, formatInstant } from '../../ui';

function percent(used: number, allocated: number): string {
  if (allocated <= 0) return '0 %';
  // One decimal, rounded down, so 99.96 % never shows as a full 100 %.
  return `${Math.floor((used * 1000) / allocated) / 10} %`;
}

function allocationNote(bucket: PlanStateView['buckets'][number]): string | null {
  const parts: string[] = [];
  if (bucket.carriedIn > 0) parts.push(`${formatCredits(bucket.carriedIn)} rolled over`);
  if (bucket.overage.added > 0) parts.push(`${formatCredits(bucket.overage.added)} overage`);
  return parts.length > 0 ? `incl. ${parts.join(', ')}` : null;
}

/**
 * Where the balances come from: the central service's state as of its last report (with what
 * this console counted that it has not), or this console's own ledger. Said because the two can
 * differ, and an admin comparing with the platform needs to know which one they are reading.
 */
function BalanceSource({ plan, state }: { plan: CreditPlan; state: PlanStateView }) {
  const { source } = state;
  if (source.kind === 'local') {
    return <p className="hint" data-testid="balance-source">Counted on this console (no report of this version from the central service).</p>;
  }
  const extra = Object.entries(source.localUnreported).filter(([, credits]) => (credits ?? 0) > 0);
  const local =
    extra.length === 0
      ? ''
      : ` Includes ${extra.map(([bucket, credits]) => `${formatCredits(credits ?? 0)}${bucket === 'ALL' ? '' : ` (${bucket})`}`).join(', ')} used on this console that the central service has not counted yet.`;
  return (
    <p className="hint" data-testid="balance-source">
      As of {formatInstant(source.at, plan.config.activation.timeZone)} from the central service.{local}
    </p>
  );
}

/** "Credit Management": the current period's buckets, and where their figures come from. */
export function CreditManagement({ plan, space, state }: { plan: CreditPlan; space: Space; state: PlanStateView }) {
  return (
    <>
      <BalanceSource plan={plan} state={state} />
      <Buckets plan={plan} space={space} state={state} />
    </>
  );
}

function Buckets({ plan, space, state }: { plan: CreditPlan; space: Space; state: PlanStateView }) {
  const period = state.period;
  const usedInPeriod = useCommand(
    'details.usedByChannel',
    { planId: plan.id, from: period?.start ?? state.at, to: period?.end ?? state.at },
    { enabled: plan.config.limit === 'all_channels' && period !== null },
  );
  if (period === null) {
    return <p className="state state-empty">The plan starts on {plan.config.activation.date} ({plan.config.activation.timeZone}); nothing has been consumed yet.</p>;
  }
  if (plan.config.limit === 'all_channels') {
    const pool = state.buckets.find((bucket) => bucket.bucket === 'ALL');
    const usedBy = new Map(usedInPeriod.data?.rows.map((row) => [row.channel, row.used]));
    const channels = space.channels.map((channel) => channel.channel);
    const note = pool ? allocationNote(pool) : null;
    const usedTotal = pool?.used ?? 0;
    // The pool holds the credits; the channels only draw on it. So the pool has its own row with
    // its credits, use and remaining, and each channel row says what it drew, never a balance.
    return (
      <table className="data-table credit-pool" aria-label="Credit Management">
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            <th scope="col" className="num">Credits</th>
            <th scope="col" className="num">Used credits</th>
            <th scope="col" className="num">Remaining credits</th>
          </tr>
        </thead>
        <tbody>
          <tr className="pool-row" data-channel="ALL">
            <th scope="row">Shared pool, all channels</th>
            <td className="num">
              {formatCredits(pool?.allocated ?? 0)}
              {note ? <span className="hint"> ({note})</span> : null}
            </td>
            <td className="num" data-testid="pool-used">{formatCredits(usedTotal)}</td>
            <td className="num" data-testid="pool-remaining">{formatCredits(pool?.remaining ?? 0)}</td>
          </tr>
          <tr className="group-row">
            <th scope="colgroup" colSpan={4}>Drawn from the pool, by channel</th>
          </tr>
          {channels.map((channel) => {
            const used = usedBy.get(channel) ?? 0;
            return (
              <tr key={channel} data-channel={channel} className="channel-of-pool">
                <th scope="row">{channel}</th>
                <td className="num hint">from the pool</td>
                <td className="num">
                  {usedInPeriod.isPending ? '…' : formatCredits(used)}
                  {!usedInPeriod.isPending && usedTotal > 0 ? <span className="hint"> ({percent(used, usedTotal)} of the pool’s use)</span> : null}
                </td>
                <td className="num hint">—</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );
  }
  return (
    <table className="data-table" aria-label="Credit Management">
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col" className="num">Credits</th>
          <th scope="col" className="num">Used credits by channel</th>
          <th scope="col" className="num">Remaining credits</th>
        </tr>
      </thead>
      <tbody>
        {state.buckets.map((bucket) => {
          const note = allocationNote(bucket);
          return (
            <tr key={bucket.bucket} data-channel={bucket.bucket}>
              <th scope="row">{bucket.bucket as Channel}</th>
              <td className="num">
                {formatCredits(bucket.allocated)}
                {note ? <span className="hint"> ({note})</span> : null}
              </td>
              <td className="num">
                <span className="meter" aria-hidden="true">
                  <span className="meter-fill" style={{ width: `${Math.min(100, bucket.allocated > 0 ? (bucket.used * 100) / bucket.allocated : 0)}%` }} />
                </span>
                {percent(bucket.used, bucket.allocated)} <span className="hint">({formatCredits(bucket.used)})</span>
              </td>
              <td className="num">{formatCredits(bucket.remaining)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
