import { useState } from 'react';
import { useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { SpaceHeader } from '../space';
import { fieldLabel } from '../../../../shared/domain';
import { ErrorState, FlashMessage, formatInstant, limitLabel, Loading, PageTitle, renewLabel, useFlash, yesNo } from '../../ui';
import { AddCreditsDialog } from './AddCreditsDialog';
import { AddOnCredits } from './AddOnCredits';
import { ChargeNowDialog } from './ChargeNowDialog';
import { CreditManagement } from './CreditManagement';
import { PolicyFacts } from './PolicyFacts';
import { overageLabel } from '../../../../shared/domain';
import { UsedByChannel } from './UsedByChannel';

/** Plan details, all channels or channel specific (SPEC §7). */
export function PlanDetails({ spaceId, planId }: { spaceId: string; planId: string }) {
  const plan = useCommand('plans.get', { planId });
  const space = useCommand('spaces.get', { spaceId });
  const state = useCommand('details.state', { planId });
  const role = useRole();
  const flash = useFlash((store) => store.show);
  const [dialog, setDialog] = useState<'add' | 'charge' | null>(null);
  const title = `Credit plan ${planId}`;
  if (plan.isPending || space.isPending) return <><PageTitle>{title}</PageTitle><Loading what="the plan" /></>;
  if (plan.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={plan.error} what="the plan" onRetry={() => void plan.refetch()} /></>;
  if (space.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;
  const config = plan.data.config;
  const bidirectional = space.data.channels.filter((channel) => channel.bidirectional).map((channel) => channel.channel);
  const overageDates = (state.data?.buckets ?? [])
    .filter((bucket) => bucket.overage.at !== null)
    .map((bucket) => `${formatInstant(bucket.overage.at ?? '', config.activation.timeZone)}${config.limit === 'channel_specific' ? ` (${bucket.bucket})` : ''}`);

  return (
    <section>
      <SpaceHeader space={space.data} tab={null} title={title} extraCrumbs={[{ label: `Plan ${planId}` }]} />
      {role === 'admin' || role === 'account_manager' ? (
        <div className="actions">
          {role === 'admin' && plan.data.status !== 'deleted' ? (
            <a className="button" href={href({ name: 'wizard', spaceId, planId })}>
              Edit plan
            </a>
          ) : null}
          {role === 'admin' && plan.data.status !== 'deleted' && state.data?.period ? (
            <button type="button" onClick={() => setDialog('add')}>
              Add credits
            </button>
          ) : null}
          {role === 'admin' && plan.data.status !== 'deleted' && state.data?.period && config.price !== undefined && config.renew !== null ? (
            <button type="button" onClick={() => setDialog('charge')}>
              Charge now
            </button>
          ) : null}
          {/* Statements are for account managers and admins (SPEC §9.6); the main process checks the same. */}
          <a className="button" href={href({ name: 'statement', spaceId, planId })}>
            Statement
          </a>
        </div>
      ) : null}
      <FlashMessage />
      {dialog === 'add' ? (
        <AddCreditsDialog
          plan={plan.data}
          onClose={() => setDialog(null)}
          onDone={(message) => {
            setDialog(null);
            flash(message);
          }}
        />
      ) : null}
      {dialog === 'charge' ? (
        <ChargeNowDialog
          plan={plan.data}
          onClose={() => setDialog(null)}
          onDone={(message) => {
            setDialog(null);
            flash(message);
          }}
        />
      ) : null}
      <section className="panel" aria-labelledby="plan-info-title">
        <h2 id="plan-info-title">Plan information</h2>
        <dl className="facts grid">
          <div><dt>Environment</dt><dd>{space.data.environmentName}</dd></div>
          <div><dt>Space</dt><dd>{space.data.name}</dd></div>
          <div><dt>Credit Plan ID</dt><dd><code>{plan.data.id}</code></dd></div>
          <div><dt>{fieldLabel('limit')}</dt><dd>{limitLabel(config)}</dd></div>
          <div><dt>Billing date &amp; time zone</dt><dd>{config.activation.date} — {config.activation.timeZone}</dd></div>
          <div>
            <dt>Update date</dt>
            <dd>
              {plan.data.version > 1 ? `${formatInstant(plan.data.updatedAt)} by ${plan.data.updatedBy} (version ${plan.data.version})` : 'Not updated'}
            </dd>
          </div>
          <div><dt>Bidirectional channels</dt><dd>{bidirectional.length > 0 ? bidirectional.join(', ') : 'None'}</dd></div>
          <div><dt>{fieldLabel('renew')}</dt><dd>{renewLabel(config.renew)}</dd></div>
          <div><dt>{fieldLabel('rollover')}</dt><dd>{yesNo(config.rollover)}</dd></div>
          <div>
            <dt>{fieldLabel('overage')}</dt>
            <dd data-testid="overage-info">
              {config.overageMetered === true ? overageLabel('metered') : yesNo(config.overage)}
              {config.overageMetered === true ? '' : config.overage && overageDates.length > 0 ? ` — applied ${overageDates.join(', ')}` : config.overage ? ' — not applied in this period' : ''}
            </dd>
          </div>
          <PolicyFacts config={config} buckets={state.data?.buckets ?? []} />
          <div><dt>{fieldLabel('status')}</dt><dd><span className={`status status-${plan.data.status}`}>{plan.data.status}</span></dd></div>
          {state.data?.period ? (
            <div>
              <dt>Current period</dt>
              <dd>
                {formatInstant(state.data.period.start, config.activation.timeZone)}
                {state.data.period.end ? ` – ${formatInstant(state.data.period.end, config.activation.timeZone)}` : ' onwards (no renewal)'}
              </dd>
            </div>
          ) : null}
        </dl>
      </section>
      <section className="panel" aria-labelledby="credit-management-title">
        <h2 id="credit-management-title">Credit Management</h2>
        {state.isPending ? (
          <Loading what="the balances" />
        ) : state.isError ? (
          <ErrorState error={state.error} what="the balances" onRetry={() => void state.refetch()} />
        ) : state.data.deleted ? (
          <p className="state state-empty">This plan was deleted; it no longer limits traffic. Its history stays in the Credit History Logs.</p>
        ) : (
          <>
            <CreditManagement plan={plan.data} space={space.data} state={state.data} />
            <AddOnCredits plan={plan.data} state={state.data} />
          </>
        )}
      </section>
      <UsedByChannel plan={plan.data} space={space.data} />
    </section>
  );
}
