import { describedBy } from './FieldError';
import type { CreditsPartProps } from './parts';

/**
 * An all-channels plan's credits: one pool shared by every channel of the space, typed in one
 * field (no Add: there is only ever one pool, so a second Add could only replace it silently).
 * Its errors show under the credits fieldset (err-credits), as the engine places them.
 */
export function PoolCredits({ space, form, update, errors }: CreditsPartProps) {
  const channels = space.channels.map((channel) => channel.channel).join(', ');
  return (
    <div className="add-row">
      <div className="field">
        <label htmlFor="wizard-total-credits">Total Credits</label>
        <input
          id="wizard-total-credits"
          className="credits-input"
          inputMode="numeric"
          autoComplete="off"
          value={form.pool}
          aria-invalid={errors.credits ? true : undefined}
          aria-describedby={describedBy('err-credits', errors.credits, 'hint-total-credits')}
          onChange={(event) => update({ pool: event.target.value })}
        />
        <span id="hint-total-credits" className="hint">
          One pool shared by every channel of this space{channels ? ` (${channels})` : ''}, and by channels added later.
        </span>
      </div>
    </div>
  );
}
