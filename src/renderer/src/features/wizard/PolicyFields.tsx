import { useId } from 'react';
import type { Space } from '../../../../shared/api';
import type { Channel } from '../../../../shared/domain';
import { describedBy, FieldError } from './FieldError';
import { policyChannels, type FieldKey } from './form';
import type { PartProps } from './parts';

/** The fields of the Policies section that hold errors: an error there opens the section. */
const POLICY_KEYS = /^(costs|dailyLimit|currency|price|minimumCharge|overageRate)/;

export function hasPolicyErrors(errors: PartProps['errors']): boolean {
  return Object.keys(errors).some((key) => POLICY_KEYS.test(key));
}

function NumberField({
  id,
  label,
  value,
  onChange,
  errorKey,
  errors,
  hint,
  placeholder,
  wide = false,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errorKey: FieldKey;
  errors: PartProps['errors'];
  hint?: string;
  placeholder?: string;
  wide?: boolean;
}) {
  const messages = errors[errorKey];
  const errorId = `err-${id}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className={wide ? 'money-input' : 'credits-input'}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        aria-invalid={messages ? true : undefined}
        aria-describedby={describedBy(errorId, messages, hint ? `hint-${id}` : undefined)}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <span id={`hint-${id}`} className="hint">
          {hint}
        </span>
      ) : null}
      <FieldError id={errorId} messages={messages} />
    </div>
  );
}

/**
 * SPEC §9's optional parts of a plan: credits per message per channel, a daily sending limit per
 * bucket, and the money (price per period, minimum charge for "charge now", the metered overage
 * rate) in one currency. Closed by default: most plans need none of it; a button with
 * aria-expanded opens it (keyboard: Tab to it, Enter or Space).
 */
export function PolicyFields({ space, form, update, errors }: PartProps & { space: Space }) {
  const regionId = useId();
  const open = form.policiesOpen || hasPolicyErrors(errors);
  const channels = policyChannels(space, form);
  const metered = form.overage && form.overageMetered;
  const setChannel = (part: 'costs' | 'dailyByChannel', channel: Channel, value: string) => update({ [part]: { ...form[part], [channel]: value } });
  return (
    <section className="policies" aria-label="Policies">
      <h2 className="policies-heading">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls={regionId} onClick={() => update({ policiesOpen: !open })}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Policies <span className="hint">(optional: rate card, daily limit, price)</span>
        </button>
      </h2>
      <div id={regionId} hidden={!open}>
        {open ? (
          <>
            <fieldset>
              <legend>Credits per message</legend>
              <p className="hint">What one MT message costs on each channel; blank means 1. Usage that states its credits costs exactly those.</p>
              {channels.length === 0 ? <p className="hint">Add a channel above first.</p> : null}
              <div className="add-row">
                {channels.map((channel) => (
                  <NumberField
                    key={channel}
                    id={`wizard-cost-${channel}`}
                    label={`${channel} credits per message`}
                    value={form.costs[channel] ?? ''}
                    placeholder="1"
                    onChange={(value) => setChannel('costs', channel, value)}
                    errorKey={`costs.${channel}`}
                    errors={errors}
                  />
                ))}
              </div>
            </fieldset>
            <fieldset>
              <legend>Daily limit</legend>
              <p className="hint">Credits that may be consumed in one local day ({form.timeZone || 'the plan’s time zone'}); blank means no limit. Traffic past it is refused until the next day, whatever the balance.</p>
              <div className="add-row">
                {form.limit === 'all_channels' ? (
                  <NumberField id="wizard-daily" label="Daily limit (credits per day)" value={form.dailyPool} onChange={(dailyPool) => update({ dailyPool })} errorKey="dailyLimit" errors={errors} />
                ) : (
                  channels.map((channel) => (
                    <NumberField
                      key={channel}
                      id={`wizard-daily-${channel}`}
                      label={`${channel} daily limit`}
                      value={form.dailyByChannel[channel] ?? ''}
                      onChange={(value) => setChannel('dailyByChannel', channel, value)}
                      errorKey={`dailyLimit.${channel}`}
                      errors={errors}
                    />
                  ))
                )}
              </div>
            </fieldset>
            <fieldset>
              <legend>Price and billing</legend>
              <div className="add-row">
                <NumberField id="wizard-currency" label="Currency" value={form.currency} onChange={(currency) => update({ currency })} errorKey="currency" errors={errors} hint="ISO 4217, e.g. USD" />
                <NumberField id="wizard-price" label="Price per period" value={form.price} onChange={(price) => update({ price })} errorKey="price" errors={errors} wide hint="Shown on the statement; needed by Charge now." />
                <NumberField
                  id="wizard-minimum"
                  label="Minimum charge"
                  value={form.minimumCharge}
                  placeholder="10.00"
                  onChange={(minimumCharge) => update({ minimumCharge })}
                  errorKey="minimumCharge"
                  errors={errors}
                  wide
                  hint="The least a Charge now costs; 10.00 when blank."
                />
                {metered ? (
                  <NumberField
                    id="wizard-overage-rate"
                    label="Overage rate per credit"
                    value={form.overageRate}
                    placeholder="0.000085"
                    onChange={(overageRate) => update({ overageRate })}
                    errorKey="overageRate"
                    errors={errors}
                    wide
                    hint="Metered credits are billed at this rate with the next period."
                  />
                ) : null}
              </div>
            </fieldset>
          </>
        ) : null}
      </div>
    </section>
  );
}
