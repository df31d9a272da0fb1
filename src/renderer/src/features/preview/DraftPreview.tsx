import { useEffect, useState } from 'react';
import type { Draft, PlanPreview, Space } from '../../../../shared/api';
import { bucketLabel, type PlanConfig } from '../../../../shared/domain';
import { apiErrorOf, useCommand, useCommandMutation, useRole } from '../../api';
import { href } from '../../app/router';
import { SpaceHeader } from '../space';
import { ConfigureStep, errorsOf, formFromConfig, newPlanForm, offeredChannels, PlanSummary, useWizardStore, validateForm, type FieldErrors, type PlanForm } from '../wizard';
import { ConfirmDialog, ErrorState, formatCredits, formatInstant, Loading, PageTitle, utcToSecond } from '../../ui';
import { ProjectionChart } from './ProjectionChart';

/** Account managers try a plan before anyone saves it: calendar, projection, and drafts to keep. */
export function DraftPreview({ spaceId }: { spaceId: string }) {
  const space = useCommand('spaces.get', { spaceId });
  const role = useRole();
  if (space.isPending) return <><PageTitle>Draft preview</PageTitle><Loading what="the space" /></>;
  if (space.isError) return <><PageTitle>Draft preview</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;
  return (
    <section>
      <SpaceHeader space={space.data} tab={null} title="Draft preview" extraCrumbs={[{ label: 'Draft preview' }]} />
      {role === 'support' ? (
        <p className="state state-error" role="alert">
          Support users can review plans but not prepare drafts. <a href={href({ name: 'credits', spaceId })}>Back to the Credits Overview</a>
        </p>
      ) : (
        <PreviewWorkbench space={space.data} />
      )}
    </section>
  );
}

function PreviewWorkbench({ space }: { space: Space }) {
  const key = `draft:${space.id}`;
  const draft = useWizardStore((state) => state.drafts[key]);
  const start = useWizardStore((state) => state.start);
  const updateDraft = useWizardStore((state) => state.update);
  /** What the form said when it was last checked locally (the engine's own parser). */
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  /** The configuration last sent for a preview; the answer is server state, kept by React Query. */
  const [asked, setAsked] = useState<PlanConfig | null>(null);
  const [loadedDraft, setLoadedDraft] = useState<Draft | null>(null);
  const preview = useCommand('plans.preview', { spaceId: space.id, config: asked }, { enabled: asked !== null });

  useEffect(() => {
    if (!draft) start(key, { form: newPlanForm(space.livePlanCount), baseVersion: null });
  }, [draft, key, start, space.livePlanCount]);
  if (!draft) return <Loading what="the form" />;
  const form = draft.form;

  function askPreview(): void {
    const local = validateForm(form);
    setLocalErrors(local.errors);
    if (!local.config) {
      setAsked(null);
      return;
    }
    // The same draft again: ask again (the projection starts now), else the new key asks.
    if (asked !== null && JSON.stringify(asked) === JSON.stringify(local.config)) void preview.refetch();
    else setAsked(local.config);
  }

  const failure = asked !== null && preview.isError ? apiErrorOf(preview.error) : null;
  // Conflicts with the space's plans are shown, but the preview still answers: a draft may be ahead of its time.
  const errors: FieldErrors =
    asked === null
      ? localErrors
      : failure
        ? failure.issues
          ? errorsOf(failure.issues, form.limit)
          : { form: [failure.message] }
        : preview.data
          ? errorsOf(preview.data.issues, form.limit)
          : {};
  const result = asked !== null && preview.data && !failure ? { config: asked, preview: preview.data } : null;

  return (
    <div className="preview-layout">
      <ConfigureStep
        space={space}
        form={form}
        update={(patch: Partial<PlanForm>) => updateDraft(key, patch)}
        errors={errors}
        offered={offeredChannels(space, form, null)}
        primaryLabel="Preview"
        busy={asked !== null && preview.isFetching}
        onPrimary={askPreview}
        otherPlans={space.livePlanCount}
        draftOnly
      />
      {result ? <PreviewResult space={space} config={result.config} preview={result.preview} loadedDraft={loadedDraft} /> : null}
      <SavedDrafts
        spaceId={space.id}
        onLoad={(saved) => {
          start(key, { form: formFromConfig(saved.config), baseVersion: null });
          setLoadedDraft(saved);
          setAsked(null);
          setLocalErrors({});
        }}
      />
    </div>
  );
}

function PreviewResult({ space, config, preview, loadedDraft }: { space: Space; config: PlanConfig; preview: PlanPreview; loadedDraft: Draft | null }) {
  const [name, setName] = useState(loadedDraft?.name ?? '');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const save = useCommandMutation('drafts.save');
  const zone = config.activation.timeZone;
  return (
    <section className="panel" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <PlanSummary space={space} config={config} />

      <h3 id="boundaries-title">Next period starts</h3>
      {preview.boundaries.length === 0 ? (
        <p className="hint">No renewal: the plan has one period from activation on.</p>
      ) : (
        <table className="data-table" aria-labelledby="boundaries-title">
          <thead>
            <tr>
              <th scope="col" className="num">Period</th>
              <th scope="col">Local start ({zone})</th>
              <th scope="col">UTC</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {preview.boundaries.map((boundary) => (
              <tr key={boundary.index}>
                <td className="num">{boundary.index}</td>
                <td>
                  {boundary.localDate} {boundary.localTime} (UTC{boundary.offset})
                </td>
                <td><code>{utcToSecond(boundary.start)}</code></td>
                <td>
                  {boundary.clamped ? <span className="flag flag-warning">Clamped to month end</span> : null}
                  {boundary.shiftedByDst ? <span className="flag flag-warning">Shifted by daylight saving</span> : null}
                  {boundary.offsetChanged ? <span className="flag flag-info">UTC offset changed</span> : null}
                  {!boundary.clamped && !boundary.shiftedByDst && !boundary.offsetChanged ? '—' : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Projected remaining credits</h3>
      <ul className="run-out">
        {preview.projection.map((bucket) => (
          <li key={bucket.bucket}>
            <strong>{bucketLabel(bucket.bucket)}</strong>: about {formatCredits(Math.round(bucket.dailyRate))} credits a day —{' '}
            {bucket.runsOutOn ? (
              <span className="flag flag-warning">
                projected to run out on {bucket.runsOutOn}
                {bucket.periods > 1 ? `, and in ${bucket.runOutPeriods} of the ${bucket.periods} periods projected` : ''}
              </span>
            ) : bucket.periods > 1 ? (
              `lasts through all ${bucket.periods} periods projected`
            ) : (
              'lasts through the year projected'
            )}
          </li>
        ))}
      </ul>
      <ProjectionChart projection={preview.projection} timeZone={zone} />

      <form
        className="inline-form"
        aria-label="Save draft"
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) {
            setMessage({ error: true, text: 'Give the draft a name.' });
            return;
          }
          save.mutate(
            { spaceId: space.id, draftId: loadedDraft?.id, name: name.trim(), config },
            {
              onSuccess: (answer) =>
                setMessage(answer.ok ? { error: false, text: `Draft “${answer.value.name}” saved at ${formatInstant(answer.value.savedAt)}.` } : { error: true, text: answer.error.message }),
            },
          );
        }}
      >
        <div className="field">
          <label htmlFor="draft-name">Draft name</label>
          <input id="draft-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={200} />
        </div>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : loadedDraft ? 'Update draft' : 'Save draft'}
        </button>
        {message ? (
          <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error-text' : 'ok-text'}>
            {message.text}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function SavedDrafts({ spaceId, onLoad }: { spaceId: string; onLoad: (draft: Draft) => void }) {
  const drafts = useCommand('drafts.list', { spaceId });
  const remove = useCommandMutation('drafts.delete');
  const [discarding, setDiscarding] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="drafts-title">
      <h2 id="drafts-title">Saved drafts</h2>
      {drafts.isPending ? (
        <Loading what="drafts" />
      ) : drafts.isError ? (
        <ErrorState error={drafts.error} what="drafts" onRetry={() => void drafts.refetch()} />
      ) : drafts.data.length === 0 ? (
        <p className="state state-empty">No saved draft for this space.</p>
      ) : (
        <table className="data-table" aria-labelledby="drafts-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Author</th>
              <th scope="col">Saved</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {drafts.data.map((saved) => (
              <tr key={saved.id}>
                <th scope="row">{saved.name}</th>
                <td>{saved.author}</td>
                <td>{formatInstant(saved.savedAt)}</td>
                <td className="row-actions">
                  <button type="button" className="link-button" onClick={() => onLoad(saved)}>
                    Load<span className="visually-hidden"> {saved.name}</span>
                  </button>
                  <button
                    type="button"
                    className="link-button danger-text"
                    onClick={() => {
                      setError(null);
                      setDiscarding(saved);
                    }}
                  >
                    Discard<span className="visually-hidden"> {saved.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={discarding !== null}
        title={discarding ? `Discard the draft “${discarding.name}”?` : 'Discard the draft?'}
        confirmLabel="Discard draft"
        busy={remove.isPending}
        onCancel={() => setDiscarding(null)}
        onConfirm={() => {
          if (!discarding) return;
          remove.mutate(
            { draftId: discarding.id },
            {
              onSuccess: (result) => {
                if (!result.ok) setError(`The draft “${discarding.name}” was not discarded: ${result.error.message}`);
                setDiscarding(null);
              },
            },
          );
        }}
      >
        {discarding ? (
          <p>
            The draft <strong>{discarding.name}</strong> by {discarding.author} is removed for everyone. Nothing has been saved as a plan from it.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
