import { lazy, Suspense, useState } from 'react';
import { useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { HistoryLogs, usePrefetchHistory } from '../history';
import { SpaceHeader } from '../space';
import { Empty, ErrorState, FlashMessage, Loading, PageTitle } from '../../ui';
import { PlansTable } from './PlansTable';

// Loaded when opened: the tab is on the console's first script.
const CreditCalculator = lazy(() => import('../calculator/CreditCalculator').then((room) => ({ default: room.CreditCalculator })));

/** The tab's own reads, also started before React renders when the console opens on this tab. */
export function creditsTabReads(spaceId: string) {
  return { space: { spaceId }, plans: { spaceId, includeDeleted: true } } as const;
}

/** Space Config → Credits: the empty state, or the Credits Overview with the history below. */
export function CreditsTab({ spaceId }: { spaceId: string }) {
  const reads = creditsTabReads(spaceId);
  const space = useCommand('spaces.get', reads.space);
  const plans = useCommand('plans.list', reads.plans);
  const role = useRole();
  // The history's first page is asked for with the space and its plans (on a route change,
  // before this renders: app/first-reads.ts). The three answers come within ms of each other,
  // so the tab waits for all of them and is rendered, styled and laid out once, not once per
  // answer (each pass costing tens of ms on a busy machine). A failure settles a read too.
  const historySettled = usePrefetchHistory(spaceId);
  const [calculatorOpen, setCalculatorOpen] = useState(false);
  if (space.isPending || (space.isSuccess && (plans.isPending || !historySettled))) {
    return <><PageTitle>Credits</PageTitle><Loading what="the space" /></>;
  }
  if (space.isError) return <><PageTitle>Credits</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;

  const live = plans.data?.filter((plan) => plan.status !== 'deleted') ?? [];
  const canCreate = role === 'admin';
  const allCovered = space.data.channels.length > 0 && space.data.uncoveredChannels.length === 0;
  const newPlan = canCreate ? (
    allCovered ? (
      <p className="hint">Every channel of this space is covered by a credit plan, so no other plan can be added.</p>
    ) : (
      <a className="button primary" href={href({ name: 'wizard', spaceId })}>
        New Credit Plan
      </a>
    )
  ) : null;
  const preview = (
    <>
      {role === 'admin' || role === 'account_manager' ? (
        <a className="button" href={href({ name: 'preview', spaceId })}>
          Preview a draft plan
        </a>
      ) : null}
      <button type="button" onClick={() => setCalculatorOpen(true)}>
        Credit calculator
      </button>
    </>
  );
  const calculator = calculatorOpen ? (
    <Suspense fallback={null}>
      <CreditCalculator
        space={space.data}
        channels={space.data.uncoveredChannels.length > 0 ? space.data.uncoveredChannels : space.data.channels.map((c) => c.channel)}
        canStartPlan={canCreate && !allCovered}
        onClose={() => setCalculatorOpen(false)}
      />
    </Suspense>
  ) : null;

  return (
    <section>
      <SpaceHeader space={space.data} tab="credits" title={`Credits — ${space.data.name}`} />
      <FlashMessage />
      {plans.isPending ? (
        <Loading what="credit plans" />
      ) : plans.isError ? (
        <ErrorState error={plans.error} what="credit plans" onRetry={() => void plans.refetch()} />
      ) : live.length === 0 ? (
        <Empty>
          <h2 id="actual-plans-title">No credit plan yet</h2>
          <p>Traffic in this space is not limited until a credit plan covers its channels.</p>
          <div className="actions">
            {newPlan}
            {preview}
          </div>
          {role === 'support' ? <p className="hint">Support users can review plans but not create them.</p> : null}
        </Empty>
      ) : (
        <>
          <div className="section-head">
            <h2 id="actual-plans-title">Actual Credit Plans</h2>
            <div className="actions">
              {newPlan}
              {preview}
            </div>
          </div>
          <PlansTable plans={live} role={role} spaceChannels={space.data.channels.map((channel) => channel.channel)} />
        </>
      )}
      <HistoryLogs spaceId={spaceId} plans={plans.data ?? []} />
      {calculator}
    </section>
  );
}
