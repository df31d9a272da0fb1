import { useEffect, useId, useRef, useState } from 'react';
import type { Space } from '../../../../shared/api';
import type { Channel } from '../../../../shared/domain';
import { calculateCredits, formatHundredths } from '../../../../shared/engine/calculator';
import { navigate } from '../../app/router';
import { formatCredits } from '../../ui';
import { useCalculatorPrefill } from './prefill';

type Typed = Partial<Record<Channel, { messages: string; rate: string }>>;

function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim().replaceAll(',', '');
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/**
 * The credit calculator as a dialog: expected messages per month per channel × credits per
 * message (default 1, SPEC §9.1) → monthly credits needed and credits per message on average;
 * "Start a plan with these credits" hands them to the space's New Credit Plan wizard.
 * `channels`: the ones a new plan may take (uncovered), or all of the space's when none is.
 */
export function CreditCalculator({
  space,
  channels,
  canStartPlan,
  onClose,
}: {
  space: Space;
  channels: readonly Channel[];
  canStartPlan: boolean;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const first = useRef<HTMLInputElement>(null);
  const ids = useId();
  const [typed, setTyped] = useState<Typed>({});
  const [limit, setLimit] = useState<'all_channels' | 'channel_specific'>(space.livePlanCount > 0 ? 'channel_specific' : 'all_channels');
  const offer = useCalculatorPrefill((state) => state.offer);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      first.current?.focus();
    }
  }, []);

  const messagesPerMonth: Partial<Record<Channel, number>> = {};
  const creditsPerMessage: Partial<Record<Channel, number>> = {};
  for (const channel of channels) {
    const row = typed[channel];
    const messages = wholeNumber(row?.messages ?? '');
    const rate = wholeNumber(row?.rate ?? '');
    if (messages !== undefined) messagesPerMonth[channel] = messages;
    if (rate !== undefined) creditsPerMessage[channel] = rate;
  }
  const { result, issues } = calculateCredits({ messagesPerMonth, creditsPerMessage });
  const issueOf = (path: string) => issues.find((issue) => issue.path === path)?.message;
  const set = (channel: Channel, field: 'messages' | 'rate', value: string) =>
    setTyped((current) => ({ ...current, [channel]: { messages: current[channel]?.messages ?? '', rate: current[channel]?.rate ?? '', [field]: value } }));
  const allChannelsAllowed = space.livePlanCount === 0;
  const canStart = canStartPlan && result !== null && result.monthlyCredits > 0 && result.fitsInAPlan;

  // Closed through the dialog first, so the browser gives focus back to what opened it.
  function close(): void {
    ref.current?.close();
    onClose();
  }

  function start(): void {
    if (!result) return;
    offer(
      space.id,
      limit === 'all_channels' && allChannelsAllowed
        ? { limit: 'all_channels', credits: result.monthlyCredits }
        : { limit: 'channel_specific', credits: Object.fromEntries(result.lines.map((line) => [line.channel, line.credits])) },
    );
    close();
    navigate({ name: 'wizard', spaceId: space.id });
  }

  return (
    <dialog
      ref={ref}
      className="dialog calculator"
      aria-labelledby={`${ids}-title`}
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      <h2 id={`${ids}-title`}>Credit calculator</h2>
      <p className="hint">Expected MT messages per month on each channel, and what one message costs in credits (1 unless the plan says otherwise). MO messages are free.</p>
      <table className="data-table">
        <caption className="visually-hidden">Messages and credits per channel</caption>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Messages per month</th>
            <th scope="col">Credits per message</th>
            <th scope="col" className="num">
              Credits
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((channel, i) => {
            const messagesIssue = issueOf(`messagesPerMonth.${channel}`);
            const rateIssue = issueOf(`creditsPerMessage.${channel}`);
            return (
              <tr key={channel}>
                <th scope="row">{channel}</th>
                <td>
                  <input
                    ref={i === 0 ? first : undefined}
                    inputMode="numeric"
                    aria-label={`${channel} messages per month`}
                    aria-invalid={messagesIssue !== undefined}
                    aria-describedby={messagesIssue ? `${ids}-${channel}-m` : undefined}
                    value={typed[channel]?.messages ?? ''}
                    placeholder="0"
                    onChange={(event) => set(channel, 'messages', event.target.value)}
                  />
                  {messagesIssue ? (
                    <span id={`${ids}-${channel}-m`} className="field-error">
                      {messagesIssue}
                    </span>
                  ) : null}
                </td>
                <td>
                  <input
                    inputMode="numeric"
                    aria-label={`${channel} credits per message`}
                    aria-invalid={rateIssue !== undefined}
                    aria-describedby={rateIssue ? `${ids}-${channel}-r` : undefined}
                    value={typed[channel]?.rate ?? ''}
                    placeholder="1"
                    onChange={(event) => set(channel, 'rate', event.target.value)}
                  />
                  {rateIssue ? (
                    <span id={`${ids}-${channel}-r`} className="field-error">
                      {rateIssue}
                    </span>
                  ) : null}
                </td>
                <td className="num">{formatCredits(result?.lines.find((line) => line.channel === channel)?.credits ?? 0)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <dl className="facts" aria-live="polite">
        <div>
          <dt>Monthly credits needed</dt>
          <dd data-testid="calculator-monthly">{result ? formatCredits(result.monthlyCredits) : '—'}</dd>
        </div>
        <div>
          <dt>Messages per month</dt>
          <dd>{result ? formatCredits(result.messages) : '—'}</dd>
        </div>
        <div>
          <dt>Credits per message on average</dt>
          <dd data-testid="calculator-average">{result?.averageHundredths != null ? formatHundredths(result.averageHundredths) : '—'}</dd>
        </div>
      </dl>
      {result && !result.fitsInAPlan ? <p className="field-error">That is more than one plan can hold (10^12 credits a period).</p> : null}
      {canStartPlan ? (
        <fieldset className="calculator-limit">
          <legend>Start the plan as</legend>
          <label>
            <input type="radio" name={`${ids}-limit`} checked={limit === 'all_channels'} disabled={!allChannelsAllowed} onChange={() => setLimit('all_channels')} />
            One pool for all channels{allChannelsAllowed ? '' : ' (not possible: the space has a plan)'}
          </label>
          <label>
            <input type="radio" name={`${ids}-limit`} checked={limit === 'channel_specific' || !allChannelsAllowed} onChange={() => setLimit('channel_specific')} />
            An allocation per channel
          </label>
        </fieldset>
      ) : null}
      <div className="actions">
        {canStartPlan ? (
          <button type="button" className="primary" disabled={!canStart} onClick={start}>
            Start a plan with these credits
          </button>
        ) : null}
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
      <p className="hint">An estimate: actual consumption depends on the traffic. The plan renews monthly; change anything in the wizard.</p>
    </dialog>
  );
}
