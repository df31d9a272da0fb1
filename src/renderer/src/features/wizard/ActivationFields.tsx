import { describedBy, FieldError } from './FieldError';
import { timeZones } from './form';
import type { PartProps } from './parts';

/** When the plan starts: a calendar date in an IANA time zone. */
export function ActivationFields({ form, update, errors }: PartProps) {
  const zones = timeZones();
  return (
    <fieldset>
      <legend>Credit Plan Activation</legend>
      <div className="add-row">
        <div className="field">
          <label htmlFor="wizard-date">Activation date</label>
          <input
            id="wizard-date"
            type="date"
            value={form.date}
            aria-invalid={errors['activation.date'] ? true : undefined}
            aria-describedby={describedBy('err-date', errors['activation.date'])}
            onChange={(event) => update({ date: event.target.value })}
          />
          <FieldError id="err-date" messages={errors['activation.date']} />
        </div>
        <div className="field grow">
          <label htmlFor="wizard-zone">Time zone</label>
          <input
            id="wizard-zone"
            list="wizard-zones"
            value={form.timeZone}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors['activation.timeZone'] ? true : undefined}
            aria-describedby={describedBy('err-zone', errors['activation.timeZone'], 'hint-zone')}
            onChange={(event) => update({ timeZone: event.target.value })}
          />
          <datalist id="wizard-zones">
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <span id="hint-zone" className="hint">Type to search IANA zones, e.g. America/Mexico_City.</span>
          <FieldError id="err-zone" messages={errors['activation.timeZone']} />
        </div>
      </div>
    </fieldset>
  );
}
