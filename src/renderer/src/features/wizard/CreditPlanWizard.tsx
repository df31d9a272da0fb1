import { lazy, Suspense, useEffect, useState } from 'react';
import type { CreditPlan, PlanPreview, Space } from '../../../../shared/api';
import { bucketLabel, type Channel, type PlanConfig } from '../../../../shared/domain';
import { useCommand, useCommandFetch, useCommandMutation, useRole } from '../../api';
import { href, navigate } from '../../app/router';
import { SpaceHeader } from '../space';
import { ErrorState, formatCredits, Loading, PageTitle, useFlash } from '../../ui';
import { EditConsumption } from './EditConsumption';
import { ConfigureStep } from './ConfigureStep';
import { errorsOf, formFromConfig, newPlanForm, offeredChannels, pastActivationNote, patchOf, validateForm, type FieldErrors, type PlanForm } from './form';
import { PlanSummary } from './PlanSummary';
import { useWizardStore } from './store';
import { useCalculatorPrefill, type CalculatorPrefill } from '../calculator/prefill';

const CreditCalculator = lazy(() => import('../calculator/CreditCalculator').then((room) => ({ default: room.CreditCalculator })));

/** The form fields the credit calculator's "Start a plan with these credits" fills in (a monthly plan). */
function prefilled(prefill: CalculatorPrefill): Partial<PlanForm> {
  const common = { renewOn: true, renew: 'monthly' as const, channelInput: '' as const, channelCreditsInput: '' };
  return prefill.limit === 'all_channels'
    ? { ...common, limit: 'all_channels', pool: String(prefill.credits), rows: [] }
    : { ...common, limit: 'channel_specific', pool: '', rows: Object.entries(prefill.credits).map(([channel, credits]) => ({ channel: channel as PlanForm['rows'][number]['channel'], credits: String(credits) })) };
}

/**
 * "40,000 → 102,455 available after saving (40,000 new + 62,455 rolled over, 0 consumed)": what
 * a bucket holds after an edit, with the part that rolled over from earlier periods named.
 */
export function impactLine(impact: { bucket: string; consumed: number; availableAfter: number }, config: PlanConfig, rolledOver: number | undefined): string {
  const name = bucketLabel(impact.bucket);
  const head = `${name}: ${formatCredits(impact.consumed)} consumed — after saving, ${formatCredits(impact.availableAfter)} available`;
  if (!rolledOver) return head;
  const allocation = config.limit === 'all_channels' ? config.credits : (config.credits[impact.bucket as Channel] ?? 0);
  return `${head} (${formatCredits(allocation)} new + ${formatCredits(rolledOver)} rolled over from earlier periods)`;
}

/**
 * A refused save, each rule said once: the issues in words (the message repeats them, prefixed
 * with their paths, for callers without fields), or the message when there are none.
 */
export function refusalLines(error: { message: string; issues?: { path: string; message: string }[] | undefined }): string[] {
  const issues = [...new Set((error.issues ?? []).map((issue) => issue.message.charAt(0).toUpperCase() + issue.message.slice(1)))];
  return issues.length > 0 ? issues.map((message) => (message.endsWith('.') ? message : `${message}.`)) : [error.message];
}

/** New Credit Plan, or Edit: step 1 configure, step 2 summary and Save. */
export function CreditPlanWizard({ spaceId, planId }: { spaceId: string; planId?: string }) {
  const space = useCommand('spaces.get', { spaceId });
  const plan = useCommand('plans.get', { planId: planId ?? '' }, { enabled: planId !== undefined });
  const role = useRole();
  const title = planId ? `Edit credit plan ${planId}` : 'New Credit Plan';

  if (space.isPending || (planId !== undefined && plan.isPending)) return <><PageTitle>{title}</PageTitle><Loading what="the space" /></>;
  if (space.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;
  if (planId !== undefined && plan.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={plan.error} what="the plan" /></>;
  const editing = planId !== undefined ? (plan.data ?? null) : null;

  return (
    <section>
      <SpaceHeader space={space.data} tab={null} title={title} extraCrumbs={[{ label: planId ? `Edit ${planId}` : 'New Credit Plan' }]} />
      {role !== null && role !== 'admin' ? (
        <div className="state state-error" role="alert">
          <p>Only admins can create or edit credit plans. Your role can review plans{role === 'account_manager' ? ' and preview drafts' : ''}.</p>
          <a href={href({ name: 'credits', spaceId })}>Back to the Credits Overview</a>
        </div>
      ) : editing?.status === 'deleted' ? (
        <p className="state state-error" role="alert">Plan {editing.id} was deleted; it can no longer be edited.</p>
      ) : (
        <WizardSteps space={space.data} editing={editing} />
      )}
    </section>
  );
}

function WizardSteps({ space, editing }: { space: Space; editing: CreditPlan | null }) {
  const fetchPreview = useCommandFetch('plans.preview');
  const editState = useCommand('details.state', { planId: editing?.id ?? '' }, { enabled: editing !== null });
  const key = editing ? `edit:${editing.id}` : `new:${space.id}`;
  const draft = useWizardStore((state) => state.drafts[key]);
  const start = useWizardStore((state) => state.start);
  const updateDraft = useWizardStore((state) => state.update);
  const discard = useWizardStore((state) => state.discard);
  const flash = useFlash((state) => state.show);
  const [step, setStep] = useState<1 | 2>(1);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState<{ config: PlanConfig; preview: PlanPreview } | null>(null);
  const [saveError, setSaveError] = useState<string[] | null>(null);
  const create = useCommandMutation('plans.create');
  const edit = useCommandMutation('plans.edit');
  const prefill = useCalculatorPrefill((state) => (editing ? undefined : state.bySpace[space.id]));
  const takePrefill = useCalculatorPrefill((state) => state.take);
  const [calculatorOpen, setCalculatorOpen] = useState(false);

  // Start (or restart, when the plan changed since) the draft this wizard edits; a new plan the
  // credit calculator filled in starts from its credits.
  useEffect(() => {
    if (prefill) {
      start(key, { form: { ...newPlanForm(space.livePlanCount), ...prefilled(prefill) }, baseVersion: null });
      takePrefill(space.id);
      setStep(1);
      return;
    }
    if (draft && (editing === null || draft.baseVersion === editing.version)) return;
    start(key, { form: editing ? formFromConfig(editing.config) : newPlanForm(space.livePlanCount), baseVersion: editing?.version ?? null });
  }, [draft, editing, key, start, space.livePlanCount, space.id, prefill, takePrefill]);

  if (!draft) return <Loading what="the form" />;
  const form = draft.form;
  const update = (patch: Partial<PlanForm>) => updateDraft(key, patch);

  async function next(): Promise<void> {
    const local = validateForm(form);
    if (!local.config) {
      setErrors(local.errors);
      return;
    }
    if (editing && Object.keys(patchOf(editing.config, local.config)).length === 0) {
      setErrors({ form: ['Nothing has changed yet: change a field before Next.'] });
      return;
    }
    setChecking(true);
    // The main process checks what only it knows: the space's other plans and, for an edit, consumption.
    const result = await fetchPreview({ spaceId: space.id, config: local.config, planId: editing?.id });
    setChecking(false);
    if (!result.ok) {
      setErrors(result.error.issues ? errorsOf(result.error.issues, form.limit) : { form: [result.error.message] });
      return;
    }
    if (result.value.issues.length > 0) {
      setErrors(errorsOf(result.value.issues, form.limit));
      return;
    }
    setErrors({});
    setSaveError(null);
    setChecked({ config: local.config, preview: result.value });
    setStep(2);
  }

  function save(): void {
    if (!checked) return;
    setSaveError(null);
    const onDone = (result: { ok: true; value: CreditPlan } | { ok: false; error: { message: string; issues?: { path: string; message: string }[] } }) => {
      if (!result.ok) {
        setSaveError(refusalLines(result.error));
        return;
      }
      discard(key);
      flash(
        editing
          ? `Credit plan ${result.value.id} updated. The Account Manager will receive “Credit Plan Updated”.`
          : `Credit plan ${result.value.id} saved. The Account Manager will receive “Credit Plan Activated”.`,
      );
      navigate({ name: 'credits', spaceId: space.id });
    };
    if (editing) {
      edit.mutate({ planId: editing.id, baseVersion: editing.version, patch: patchOf(editing.config, checked.config) }, { onSuccess: onDone });
    } else {
      create.mutate({ spaceId: space.id, config: checked.config }, { onSuccess: onDone });
    }
  }

  // What the current period carried in, for the impact's words: kept by an edit that keeps the calendar.
  const rolledOver = new Map(editState.data?.buckets.map((bucket) => [bucket.bucket, bucket.carriedIn]) ?? []);
  const keepsCalendar = editing !== null && checked !== null && !('activation' in patchOf(editing.config, checked.config)) && !('renew' in patchOf(editing.config, checked.config));

  const cancel = (
    <a
      className="button"
      href={href({ name: 'credits', spaceId: space.id })}
      onClick={() => {
        discard(key);
      }}
    >
      Cancel
    </a>
  );

  return (
    <>
      <ol className="steps" aria-label="Steps">
        <li aria-current={step === 1 ? 'step' : undefined}>1. Configure</li>
        <li aria-current={step === 2 ? 'step' : undefined}>2. Summary</li>
      </ol>
      {step === 1 ? (
        <p className="actions">
          <button type="button" onClick={() => setCalculatorOpen(true)}>
            Credit calculator
          </button>
        </p>
      ) : null}
      {calculatorOpen ? (
        <Suspense fallback={null}>
          <CreditCalculator
            space={space}
            channels={editing === null && space.uncoveredChannels.length > 0 ? space.uncoveredChannels : space.channels.map((c) => c.channel)}
            canStartPlan={editing === null}
            onClose={() => setCalculatorOpen(false)}
          />
        </Suspense>
      ) : null}
      {editing && (step === 1 || !checked) ? <EditConsumption plan={editing} /> : null}
      {step === 1 || !checked ? (
        <ConfigureStep
          space={space}
          form={form}
          update={update}
          errors={errors}
          offered={offeredChannels(space, form, editing?.config ?? null)}
          primaryLabel="Next"
          busy={checking}
          onPrimary={() => void next()}
          secondary={cancel}
          otherPlans={space.livePlanCount - (editing !== null && editing.status !== 'deleted' ? 1 : 0)}
          keptActivation={editing?.config.activation ?? null}
        />
      ) : (
        <div className="wizard-summary">
          <h2>Summary Credit</h2>
          {editing && checked.preview.editImpact ? (
            <div className="notice" role="note" aria-label="What remains after saving">
              <p>
                <strong>The new credits are the total allocation of the current period, including what was already consumed.</strong>
              </p>
              <ul>
                {checked.preview.editImpact.map((impact) => (
                  <li key={impact.bucket} data-testid={`impact-${impact.bucket}`}>
                    {impactLine(impact, checked.config, keepsCalendar ? rolledOver.get(impact.bucket) : undefined)}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <PlanSummary space={space} config={checked.config} editImpact={editing ? checked.preview.editImpact : undefined} />
          {pastActivationNote(form, undefined, editing?.config.activation ?? null) ? (
            <p className="notice" role="note" data-testid="summary-past-activation">
              {pastActivationNote(form, undefined, editing?.config.activation ?? null)}
            </p>
          ) : null}
          {saveError ? (
            <div role="alert" className="form-error">
              {saveError.map((message) => (
                <p key={message}>{message}</p>
              ))}
            </div>
          ) : null}
          <div className="actions">
            <button type="button" className="primary" onClick={save} disabled={create.isPending || edit.isPending}>
              {create.isPending || edit.isPending ? 'Saving…' : 'Save'}
            </button>
            <button type="button" onClick={() => setStep(1)}>
              Back
            </button>
            {cancel}
          </div>
        </div>
      )}
    </>
  );
}
