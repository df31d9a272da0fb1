import { RENEW_LABELS, RENEWALS } from '../../../../shared/domain';
import { Toggle } from '../../ui';
import { describedBy, FieldError } from './FieldError';
import type { PlanForm } from './form';
import type { PartProps } from './parts';

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
      <Toggle label="Overage" checked={form.overage} onChange={(overage) => update({ overage })} describedBy="hint-overage" />
      <p id="hint-overage" className="hint">When credits run out, 100 % of the allocation is added once per period.</p>
      <FieldError id="err-overage" messages={errors.overage} />
    </fieldset>
  );
}
