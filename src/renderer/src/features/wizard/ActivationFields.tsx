import { canonicalTimeZone, EARLIEST_ACTIVATION, LATEST_ACTIVATION } from '../../../../shared/engine';
import type { Activation } from '../../../../shared/domain';
import { describedBy, FieldError } from './FieldError';
import { pastActivationNote, timeZones } from './form';
import type { PartProps } from './parts';

/** When the plan starts: a calendar date in an IANA time zone. */
export function ActivationFields({ form, update, errors, kept = null }: PartProps & { kept?: Activation | null }) {
  const zones = timeZones();
  const pastNote = pastActivationNote(form, undefined, kept);
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
            min={EARLIEST_ACTIVATION}
            max={LATEST_ACTIVATION}
            aria-invalid={errors['activation.date'] ? true : undefined}
            aria-describedby={describedBy('err-date', errors['activation.date'], pastNote ? 'note-past-activation' : undefined)}
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
            // Typed in any case, shown (and stored) as the time-zone database spells it.
            onBlur={() => {
              const canonical = canonicalTimeZone(form.timeZone.trim());
              if (canonical !== null && canonical !== form.timeZone) update({ timeZone: canonical });
            }}
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
      {pastNote ? (
        <p id="note-past-activation" className="notice" role="note">
          {pastNote}
        </p>
      ) : null}
    </fieldset>
  );
}
