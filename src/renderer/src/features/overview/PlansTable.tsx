import { useState } from 'react';
import type { CreditPlan, Role } from '../../../../shared/api';
import { useCommandMutation } from '../../api';
import { href } from '../../app/router';
import { fieldLabel, overageLabel, policyFacts, type Channel } from '../../../../shared/domain';
import { billingDate, ConfirmDialog, creditsLabel, limitLabel, planChannels, renewLabel, yesNo } from '../../ui';

/** The channels a plan covers, in words: an all-channels plan covers every channel of its space. */
export function coveredChannels(plan: CreditPlan, spaceChannels: readonly Channel[]): string {
  if (plan.config.limit === 'all_channels') return spaceChannels.length > 0 ? `${spaceChannels.join(', ')} (every channel)` : 'Every channel (none yet)';
  return planChannels(plan.config).join(', ');
}

/** "Actual Credit Plans": the live plans of a space with their actions. */
export function PlansTable({ plans, role, spaceChannels }: { plans: CreditPlan[]; role: Role | null; spaceChannels: readonly Channel[] }) {
  const [deleting, setDeleting] = useState<CreditPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = useCommandMutation('plans.delete');
  const canChange = role === 'admin';

  return (
    <>
      <table className="data-table" aria-labelledby="actual-plans-title">
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Billing date</th>
            <th scope="col">{fieldLabel('limit')}</th>
            <th scope="col" className="num">{fieldLabel('credits')}</th>
            <th scope="col">{fieldLabel('renew')}</th>
            <th scope="col">{fieldLabel('rollover')}</th>
            <th scope="col">{fieldLabel('overage')}</th>
            <th scope="col">{fieldLabel('status')}</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {plans.map((plan) => (
            <tr key={plan.id} data-plan-id={plan.id}>
              <th scope="row"><code>{plan.id}</code></th>
              <td>{billingDate(plan.config)}</td>
              <td>
                {limitLabel(plan.config)}
                <span className="covers" data-testid="plan-channels">
                  {coveredChannels(plan, spaceChannels)}
                </span>
              </td>
              <td className="num">
                {creditsLabel(plan.config)}
                {policyFacts(plan.config)
                  .filter((fact) => fact.key !== 'minimumCharge')
                  .map((fact) => (
                    <span key={fact.key} className="covers" data-testid={`plan-${fact.key}`}>
                      {fact.label}: {fact.value}
                    </span>
                  ))}
              </td>
              <td>{renewLabel(plan.config.renew)}</td>
              <td>{yesNo(plan.config.rollover)}</td>
              <td>{plan.config.overageMetered === true ? overageLabel('metered') : yesNo(plan.config.overage)}</td>
              <td>
                <span className={`status status-${plan.status}`}>{plan.status}</span>
                {plan.pendingSync ? <span className="tag" title="Not yet accepted by the central service">pending sync</span> : null}
              </td>
              <td className="row-actions">
                <a href={href({ name: 'plan', spaceId: plan.spaceId, planId: plan.id })} aria-label={`View plan ${plan.id}`}>
                  View
                </a>
                {canChange ? (
                  <>
                    <a href={href({ name: 'wizard', spaceId: plan.spaceId, planId: plan.id })} aria-label={`Edit plan ${plan.id}`}>
                      Edit
                    </a>
                    <button
                      type="button"
                      className="link-button danger-text"
                      aria-label={`Delete plan ${plan.id}`}
                      onClick={() => {
                        setError(null);
                        setDeleting(plan);
                      }}
                    >
                      Delete
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? <p role="alert" className="error-text">{error}</p> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete credit plan ${deleting.id}?` : 'Delete credit plan?'}
        confirmLabel="Delete plan"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          if (!deleting) return;
          remove.mutate(
            { planId: deleting.id, baseVersion: deleting.version },
            {
              onSuccess: (result) => {
                if (!result.ok) setError(`Plan ${deleting.id} was not deleted: ${result.error.message}`);
                setDeleting(null);
              },
            },
          );
        }}
      >
        {deleting ? (
          <p>
            Plan <strong>{deleting.id}</strong> ({limitLabel(deleting.config)}, {creditsLabel(deleting.config)} credits) ends at once.
            Its history stays, and the Account Manager receives “Credit Plan Deleted”.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
