import type { PlanPreview, Space } from '../../../../shared/api';
import { activationLabel, bucketLabel, fieldLabel, LIMIT_LABELS, overageLabel, policyFacts, POOL, type Channel, type PlanConfig } from '../../../../shared/domain';
import { formatCredits, renewLabel, yesNo } from '../../ui';

function directionOf(space: Space, channel: Channel): string {
  const found = space.channels.find((candidate) => candidate.channel === channel);
  return found?.bidirectional ? 'MO - MT' : 'MT';
}

/** The summary SPEC §7 lists for step 2 (also used by the draft preview). */
export function PlanSummary({ space, config, editImpact }: { space: Space; config: PlanConfig; editImpact?: PlanPreview['editImpact'] }) {
  const impactOf = (bucket: string) => editImpact?.find((impact) => impact.bucket === bucket);
  return (
    <div className="summary">
      <dl className="facts">
        <div><dt>Environment</dt><dd>{space.environmentName}</dd></div>
        <div><dt>Space</dt><dd>{space.name}</dd></div>
        <div><dt>{fieldLabel('limit')}</dt><dd>{LIMIT_LABELS[config.limit]}</dd></div>
      </dl>
      <table className="data-table" aria-label="Credits assigned to the delivery channels">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col" className="num">Credits</th>
            <th scope="col">MO - MT</th>
            {editImpact ? <th scope="col">After saving</th> : null}
          </tr>
        </thead>
        <tbody>
          {config.limit === 'all_channels' ? (
            <>
              {space.channels.map((channel, index) => (
                <tr key={channel.channel}>
                  <th scope="row">{channel.channel}</th>
                  {index === 0 ? (
                    <td className="num pool-cell" rowSpan={space.channels.length}>
                      {formatCredits(config.credits)} <span className="hint">shared pool</span>
                    </td>
                  ) : null}
                  <td>{directionOf(space, channel.channel)}</td>
                  {editImpact && index === 0 ? <td rowSpan={space.channels.length}><Impact impact={impactOf('ALL')} /></td> : null}
                </tr>
              ))}
              {space.channels.length === 0 ? (
                <tr>
                  <th scope="row">{bucketLabel(POOL)}</th>
                  <td className="num">{formatCredits(config.credits)}</td>
                  <td>—</td>
                  {editImpact ? <td><Impact impact={impactOf('ALL')} /></td> : null}
                </tr>
              ) : null}
            </>
          ) : (
            (Object.entries(config.credits) as [Channel, number][]).map(([channel, credits]) => (
              <tr key={channel}>
                <th scope="row">{channel}</th>
                <td className="num">{formatCredits(credits)}</td>
                <td>{directionOf(space, channel)}</td>
                {editImpact ? <td><Impact impact={impactOf(channel)} /></td> : null}
              </tr>
            ))
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="num">
              {formatCredits(
                config.limit === 'all_channels' ? config.credits : Object.values(config.credits).reduce((sum, value) => sum + (value ?? 0), 0),
              )}
            </td>
            <td colSpan={editImpact ? 2 : 1} className="hint">Only MT traffic consumes credits.</td>
          </tr>
        </tfoot>
      </table>
      <dl className="facts">
        <div><dt>{fieldLabel('renew')}</dt><dd data-testid="summary-renew">{renewLabel(config.renew)}</dd></div>
        <div><dt>{fieldLabel('rollover')}</dt><dd data-testid="summary-rollover">{yesNo(config.rollover)}</dd></div>
        <div><dt>{fieldLabel('overage')}</dt><dd data-testid="summary-overage">{config.overageMetered === true ? overageLabel('metered') : yesNo(config.overage)}</dd></div>
        <div>
          <dt>{fieldLabel('activation')}</dt>
          <dd data-testid="summary-activation">{activationLabel(config.activation)}</dd>
        </div>
        {policyFacts(config).map((fact) => (
          <div key={fact.key}>
            <dt>{fact.label}</dt>
            <dd data-testid={`summary-${fact.key}`}>{fact.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Impact({ impact }: { impact: { consumed: number; availableAfter: number } | undefined }) {
  if (!impact) return <span className="hint">New allocation</span>;
  return (
    <span className={impact.availableAfter === 0 && impact.consumed > 0 ? 'impact impact-empty' : 'impact'} data-testid="edit-impact">
      {formatCredits(impact.consumed)} consumed — after saving, {formatCredits(impact.availableAfter)} available
    </span>
  );
}
