import type { Channel } from '../../../../shared/domain';
import { describedBy, FieldError } from './FieldError';
import type { FieldErrors } from './form';
import { CREDITS_RULE } from '../../../../shared/engine';
import { onEnter, parseCredits, type CreditsPartProps } from './parts';

/** A channel-specific plan's credits: one row per channel, each with its own allocation. */
export function ChannelCredits({ form, update, errors, setAddErrors, offered }: CreditsPartProps & { offered: Channel[] }) {
  const selectedChannel = form.channelInput !== '' && offered.includes(form.channelInput) ? form.channelInput : '';

  function addChannel(): void {
    const next: FieldErrors = {};
    if (selectedChannel === '') next.channelInput = ['Choose a channel to add.'];
    const credits = parseCredits(form.channelCreditsInput);
    // The engine's own wording of the rule, so the same bad value reads the same here and after Next.
    if (credits === null) next.channelCreditsInput = [CREDITS_RULE];
    setAddErrors(next);
    if (selectedChannel === '' || credits === null) return;
    update({ rows: [...form.rows, { channel: selectedChannel, credits: String(credits) }], channelInput: '', channelCreditsInput: '' });
  }

  return (
    <>
      <div className="add-row">
        <div className="field">
          <label htmlFor="wizard-channel">Channel</label>
          <select
            id="wizard-channel"
            value={selectedChannel}
            aria-invalid={errors.channelInput ? true : undefined}
            aria-describedby={describedBy('err-channel-input', errors.channelInput, 'hint-channel')}
            onChange={(event) => update({ channelInput: event.target.value as Channel | '' })}
          >
            <option value="">{offered.length === 0 ? 'No uncovered channel left' : 'Choose a channel…'}</option>
            {offered.map((channel) => (
              <option key={channel} value={channel}>
                {channel}
              </option>
            ))}
          </select>
          <span id="hint-channel" className="hint">Only channels not covered by another plan.</span>
          <FieldError id="err-channel-input" messages={errors.channelInput} />
        </div>
        <div className="field">
          <label htmlFor="wizard-channel-credits">Credits</label>
          <input
            id="wizard-channel-credits"
            inputMode="numeric"
            value={form.channelCreditsInput}
            aria-invalid={errors.channelCreditsInput ? true : undefined}
            aria-describedby={describedBy('err-channel-credits', errors.channelCreditsInput)}
            onChange={(event) => update({ channelCreditsInput: event.target.value })}
            onKeyDown={onEnter(addChannel)}
          />
          <FieldError id="err-channel-credits" messages={errors.channelCreditsInput} />
        </div>
        <button type="button" onClick={addChannel} disabled={offered.length === 0}>
          Add
        </button>
      </div>
      {form.rows.length > 0 ? (
        <table className="data-table compact" aria-label="Credits added">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Credits</th>
              <th scope="col"><span className="visually-hidden">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            {form.rows.map((row, index) => {
              const rowErrors = errors[`credits.${row.channel}`];
              return (
                <tr key={row.channel}>
                  <th scope="row">{row.channel}</th>
                  <td>
                    <input
                      className="credits-input"
                      aria-label={`Credits for ${row.channel}`}
                      inputMode="numeric"
                      value={row.credits}
                      aria-invalid={rowErrors ? true : undefined}
                      aria-describedby={describedBy(`err-credits-${row.channel}`, rowErrors)}
                      onChange={(event) =>
                        update({ rows: form.rows.map((other, i) => (i === index ? { ...other, credits: event.target.value } : other)) })
                      }
                    />
                    <FieldError id={`err-credits-${row.channel}`} messages={rowErrors} />
                  </td>
                  <td>
                    <button type="button" className="link-button danger-text" onClick={() => update({ rows: form.rows.filter((_, i) => i !== index) })}>
                      Remove<span className="visually-hidden"> {row.channel}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
