import { describedBy, FieldError } from './FieldError';
import { CREDITS_HINT, onEnter, parseCredits, type CreditsPartProps } from './parts';

/** An all-channels plan's credits: one pool shared by every channel of the space. */
export function PoolCredits({ space, form, update, errors, setAddErrors }: CreditsPartProps) {
  function addPool(): void {
    const credits = parseCredits(form.poolInput);
    if (credits === null) {
      setAddErrors({ poolInput: [`Total Credits must be a positive whole number. ${CREDITS_HINT}`] });
      return;
    }
    setAddErrors({});
    update({ pool: String(credits), poolInput: '' });
  }

  return (
    <>
      <div className="add-row">
        <div className="field">
          <label htmlFor="wizard-total-credits">Total Credits</label>
          <input
            id="wizard-total-credits"
            inputMode="numeric"
            value={form.poolInput}
            aria-invalid={errors.poolInput ? true : undefined}
            aria-describedby={describedBy('err-pool-input', errors.poolInput)}
            onChange={(event) => update({ poolInput: event.target.value })}
            onKeyDown={onEnter(addPool)}
          />
          <FieldError id="err-pool-input" messages={errors.poolInput} />
        </div>
        <button type="button" onClick={addPool}>
          Add
        </button>
      </div>
      {form.pool !== null ? (
        <table className="data-table compact" aria-label="Credits added">
          <thead>
            <tr>
              <th scope="col">Channels</th>
              <th scope="col">Credits</th>
              <th scope="col"><span className="visually-hidden">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">All channels ({space.channels.map((channel) => channel.channel).join(', ') || 'none yet'})</th>
              <td>
                <input
                  className="credits-input"
                  aria-label="Credits for all channels"
                  inputMode="numeric"
                  value={form.pool}
                  aria-invalid={errors.credits ? true : undefined}
                  aria-describedby={describedBy('err-credits', errors.credits)}
                  onChange={(event) => update({ pool: event.target.value })}
                />
              </td>
              <td>
                <button type="button" className="link-button danger-text" onClick={() => update({ pool: null })}>
                  Remove<span className="visually-hidden"> all channels</span>
                </button>
              </td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </>
  );
}
