import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { Space } from '../../../../shared/api';
import { RENEWALS, type Channel } from '../../../../shared/domain';
import { isPositiveCredits } from '../../../../shared/engine';
import { RENEW_LABEL, Toggle } from '../../ui';
import { describedBy, FieldError } from './FieldError';
import { timeZones, type FieldErrors, type PlanForm } from './form';

const CREDITS_HINT = 'A whole number of credits, at least 1.';

function parseCredits(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return isPositiveCredits(value) ? value : null;
}

/** Step 1: what the plan allocates, how it renews, and when it starts. */
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
}) {
  const allChannelsRuledOut = otherPlans > 0;
  const [addErrors, setAddErrors] = useState<FieldErrors>({});
  const shown: FieldErrors = { ...errors, ...addErrors };
  const zones = timeZones();
  const selectedChannel = form.channelInput !== '' && offered.includes(form.channelInput) ? form.channelInput : '';

  function addPool(): void {
    const credits = parseCredits(form.poolInput);
    if (credits === null) {
      setAddErrors({ poolInput: [`Total Credits must be a positive whole number. ${CREDITS_HINT}`] });
      return;
    }
    setAddErrors({});
    update({ pool: String(credits), poolInput: '' });
  }

  function addChannel(): void {
    const next: FieldErrors = {};
    if (selectedChannel === '') next.channelInput = ['Choose a channel to add.'];
    const credits = parseCredits(form.channelCreditsInput);
    if (credits === null) next.poolInput = [`Credits must be a positive whole number. ${CREDITS_HINT}`];
    setAddErrors(next);
    if (selectedChannel === '' || credits === null) return;
    update({ rows: [...form.rows, { channel: selectedChannel, credits: String(credits) }], channelInput: '', channelCreditsInput: '' });
  }

  function onEnter(action: () => void) {
    return (event: KeyboardEvent<HTMLInputElement>) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        action();
      }
    };
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    setAddErrors({});
    onPrimary();
  }

  const rowsTable =
    form.limit === 'all_channels' ? (
      form.pool !== null ? (
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
                  aria-invalid={shown.credits ? true : undefined}
                  aria-describedby={describedBy('err-credits', shown.credits)}
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
      ) : null
    ) : form.rows.length > 0 ? (
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
            const rowErrors = shown[`credits.${row.channel}`];
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
                  <button
                    type="button"
                    className="link-button danger-text"
                    onClick={() => update({ rows: form.rows.filter((_, i) => i !== index) })}
                  >
                    Remove<span className="visually-hidden"> {row.channel}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    ) : null;

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
            All channels
          </label>
          <label>
            <input
              type="radio"
              name="limit"
              value="channel_specific"
              checked={form.limit === 'channel_specific'}
              onChange={() => update({ limit: 'channel_specific' })}
            />
            Channel specific
          </label>
        </div>
        {allChannelsRuledOut ? (
          <p className="hint" id="all-channels-ruled-out">
            An all-channels plan must be the only plan of its space, and this space has {otherPlans === 1 ? 'another plan' : `${otherPlans} other plans`}
            {draftOnly ? ': it could only replace them.' : '.'}
          </p>
        ) : null}
        <FieldError id="err-limit" messages={shown.limit} />

        {form.limit === 'all_channels' ? (
          <div className="add-row">
            <div className="field">
              <label htmlFor="wizard-total-credits">Total Credits</label>
              <input
                id="wizard-total-credits"
                inputMode="numeric"
                value={form.poolInput}
                aria-invalid={shown.poolInput ? true : undefined}
                aria-describedby={describedBy('err-pool-input', shown.poolInput)}
                onChange={(event) => update({ poolInput: event.target.value })}
                onKeyDown={onEnter(addPool)}
              />
              <FieldError id="err-pool-input" messages={shown.poolInput} />
            </div>
            <button type="button" onClick={addPool}>
              Add
            </button>
          </div>
        ) : (
          <div className="add-row">
            <div className="field">
              <label htmlFor="wizard-channel">Channel</label>
              <select
                id="wizard-channel"
                value={selectedChannel}
                aria-invalid={shown.channelInput ? true : undefined}
                aria-describedby={describedBy('err-channel-input', shown.channelInput, 'hint-channel')}
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
              <FieldError id="err-channel-input" messages={shown.channelInput} />
            </div>
            <div className="field">
              <label htmlFor="wizard-channel-credits">Credits</label>
              <input
                id="wizard-channel-credits"
                inputMode="numeric"
                value={form.channelCreditsInput}
                aria-invalid={shown.poolInput ? true : undefined}
                aria-describedby={describedBy('err-pool-input', shown.poolInput)}
                onChange={(event) => update({ channelCreditsInput: event.target.value })}
                onKeyDown={onEnter(addChannel)}
              />
              <FieldError id="err-pool-input" messages={shown.poolInput} />
            </div>
            <button type="button" onClick={addChannel} disabled={offered.length === 0}>
              Add
            </button>
          </div>
        )}
        {rowsTable}
        <FieldError id="err-credits" messages={shown.credits} />
      </fieldset>

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
                aria-invalid={shown.renew ? true : undefined}
                aria-describedby={describedBy('err-renew', shown.renew)}
                onChange={(event) => update({ renew: event.target.value as PlanForm['renew'] })}
              >
                {RENEWALS.map((renew) => (
                  <option key={renew} value={renew}>
                    {RENEW_LABEL[renew]}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
        <FieldError id="err-renew" messages={shown.renew} />
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
        <FieldError id="err-rollover" messages={shown.rollover} />
        <Toggle label="Overage" checked={form.overage} onChange={(overage) => update({ overage })} describedBy="hint-overage" />
        <p id="hint-overage" className="hint">When credits run out, 100 % of the allocation is added once per period.</p>
        <FieldError id="err-overage" messages={shown.overage} />
      </fieldset>

      <fieldset>
        <legend>Credit Plan Activation</legend>
        <div className="add-row">
          <div className="field">
            <label htmlFor="wizard-date">Activation date</label>
            <input
              id="wizard-date"
              type="date"
              value={form.date}
              aria-invalid={shown['activation.date'] ? true : undefined}
              aria-describedby={describedBy('err-date', shown['activation.date'])}
              onChange={(event) => update({ date: event.target.value })}
            />
            <FieldError id="err-date" messages={shown['activation.date']} />
          </div>
          <div className="field grow">
            <label htmlFor="wizard-zone">Time zone</label>
            <input
              id="wizard-zone"
              list="wizard-zones"
              value={form.timeZone}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={shown['activation.timeZone'] ? true : undefined}
              aria-describedby={describedBy('err-zone', shown['activation.timeZone'], 'hint-zone')}
              onChange={(event) => update({ timeZone: event.target.value })}
            />
            <datalist id="wizard-zones">
              {zones.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            <span id="hint-zone" className="hint">Type to search IANA zones, e.g. America/Mexico_City.</span>
            <FieldError id="err-zone" messages={shown['activation.timeZone']} />
          </div>
        </div>
      </fieldset>

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
