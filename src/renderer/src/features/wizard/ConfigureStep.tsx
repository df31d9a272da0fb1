import { useState, type FormEvent, type ReactNode } from 'react';
import type { Space } from '../../../../shared/api';
import { LIMIT_LABELS, type Activation, type Channel } from '../../../../shared/domain';
import { ActivationFields } from './ActivationFields';
import { ChannelCredits } from './ChannelCredits';
import { describedBy, FieldError } from './FieldError';
import type { FieldErrors, PlanForm } from './form';
import { PolicyFields } from './PolicyFields';
import { PoolCredits } from './PoolCredits';
import { RenewalFields } from './RenewalFields';

/** Step 1: what the plan allocates (pool or channel credits), how it renews, and when it starts. */
export function ConfigureStep({
  space,
  form,
  update,
  errors,
  offered,
  primaryLabel,
  busy,
  onPrimary,
  secondary,
  otherPlans,
  draftOnly = false,
  keptActivation = null,
}: {
  space: Space;
  form: PlanForm;
  update: (patch: Partial<PlanForm>) => void;
  errors: FieldErrors;
  offered: Channel[];
  primaryLabel: string;
  busy: boolean;
  onPrimary: () => void;
  secondary?: ReactNode;
  /** Live plans of the space besides the one edited: any of them rules out an all-channels plan (SPEC §2). */
  otherPlans: number;
  /** A draft for the preview, never saved as it is: All channels stays possible, with the same warning. */
  draftOnly?: boolean;
  /** For an edit: the plan's activation, which raises no note about the past while it is kept. */
  keptActivation?: Activation | null;
}) {
  const allChannelsRuledOut = otherPlans > 0;
  // An Add's own errors (a bad number before it reaches the table), until the next Add or check.
  const [addErrors, setAddErrors] = useState<FieldErrors>({});
  const shown: FieldErrors = { ...errors, ...addErrors };
  const credits = { space, form, update, errors: shown, setAddErrors };

  function submit(event: FormEvent): void {
    event.preventDefault();
    setAddErrors({});
    onPrimary();
  }

  return (
    <form className="wizard-form" onSubmit={submit} noValidate aria-label="Configure the credit plan">
      <dl className="facts">
        <div><dt>Environment</dt><dd data-testid="wizard-environment">{space.environmentName}</dd></div>
        <div><dt>Space</dt><dd data-testid="wizard-space">{space.name}</dd></div>
      </dl>

      <fieldset aria-describedby={describedBy('err-limit', shown.limit)}>
        <legend>Credit limit</legend>
        <div className="radio-row">
          <label>
            <input
              type="radio"
              name="limit"
              value="all_channels"
              checked={form.limit === 'all_channels'}
              disabled={allChannelsRuledOut && !draftOnly && form.limit !== 'all_channels'}
              aria-describedby={allChannelsRuledOut ? 'all-channels-ruled-out' : undefined}
              onChange={() => update({ limit: 'all_channels' })}
            />
            {LIMIT_LABELS.all_channels}
          </label>
          <label>
            <input
              type="radio"
              name="limit"
              value="channel_specific"
              checked={form.limit === 'channel_specific'}
              onChange={() => update({ limit: 'channel_specific' })}
            />
            {LIMIT_LABELS.channel_specific}
          </label>
        </div>
        {allChannelsRuledOut ? (
          <p className="hint" id="all-channels-ruled-out">
            An all-channels plan must be the only plan of its space, and this space has {otherPlans === 1 ? 'another plan' : `${otherPlans} other plans`}
            {draftOnly ? ': it could only replace them.' : '.'}
          </p>
        ) : null}
        <FieldError id="err-limit" messages={shown.limit} />
        {form.limit === 'all_channels' ? <PoolCredits {...credits} /> : <ChannelCredits {...credits} offered={offered} />}
        <FieldError id="err-credits" messages={shown.credits} />
      </fieldset>

      <RenewalFields form={form} update={update} errors={shown} />
      <ActivationFields form={form} update={update} errors={shown} kept={keptActivation} />
      <PolicyFields space={space} form={form} update={update} errors={shown} />

      {shown.form ? (
        <div role="alert" className="form-error">
          {shown.form.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      ) : null}
      {Object.keys(errors).length > 0 && !shown.form ? (
        <p role="alert" className="form-error">
          Please correct the fields marked above.
        </p>
      ) : null}

      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : primaryLabel}
        </button>
        {secondary}
      </div>
    </form>
  );
}
