import { RENEW_LABELS, RENEWALS } from '../../../../shared/domain';
import { Toggle } from '../../ui';
import { describedBy, FieldError } from './FieldError';
import type { PlanForm } from './form';
import type { PartProps } from './parts';

const OVERAGE_CHOICES = [
  ['off', 'Off'],
  ['once', 'Once (+100 %)'],
  ['metered', 'Metered'],
] as const;

function overageChoice(form: PlanForm): 'off' | 'once' | 'metered' {
  return !form.overage ? 'off' : form.overageMetered ? 'metered' : 'once';
}

/** How the credits renew, roll over and run past their allocation. */
export function RenewalFields({ form, update, errors }: PartProps) {
  return (
    <fieldset>
      <legend>Renewal and limits</legend>
      <div className="toggle-row">
        <Toggle label="Renew credits" checked={form.renewOn} onChange={(renewOn) => update({ renewOn })} />
        {form.renewOn ? (
          <div className="field inline">
            <label htmlFor="wizard-renew">Renewal period</label>
            <select
              id="wizard-renew"
              value={form.renew}
              aria-invalid={errors.renew ? true : undefined}
              aria-describedby={describedBy('err-renew', errors.renew)}
              onChange={(event) => update({ renew: event.target.value as PlanForm['renew'] })}
            >
              {RENEWALS.map((renew) => (
                <option key={renew} value={renew}>
                  {RENEW_LABELS[renew]}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <FieldError id="err-renew" messages={errors.renew} />
      {form.renewOn ? (
        <>
          <Toggle label="Roll Over credits" checked={form.rollover} onChange={(rollover) => update({ rollover })} describedBy="hint-rollover" />
          <p id="hint-rollover" className="hint">
            Unused credits carry into the next period, for at most three period boundaries.
          </p>
        </>
      ) : (
        <p className="hint">Roll Over is available when credits renew.</p>
      )}
      <FieldError id="err-rollover" messages={errors.rollover} />
      <div role="radiogroup" aria-labelledby="label-overage" aria-describedby={describedBy('err-overage', errors.overage, 'hint-overage')} className="radio-row">
        <span id="label-overage" className="group-label">Overage</span>
        {OVERAGE_CHOICES.map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="overage"
              value={value}
              checked={overageChoice(form) === value}
              onChange={() => update({ overage: value !== 'off', overageMetered: value === 'metered', ...(value === 'metered' ? { policiesOpen: true } : {}) })}
            />
            {label}
          </label>
        ))}
      </div>
      <p id="hint-overage" className="hint">
        {overageChoice(form) === 'metered'
          ? 'Traffic is never refused for want of credits: what the allocation does not cover is billed per credit, at the rate set under Policies, with the next period.'
          : 'Once: when credits run out, 100 % of the allocation is added once per period.'}
      </p>
      <FieldError id="err-overage" messages={errors.overage} />
    </fieldset>
  );
}
