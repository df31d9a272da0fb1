import { useEffect, useRef, useState } from 'react';
import type { ChargeNowQuoteView, CreditPlan } from '../../../../shared/api';
import { useCommand, useCommandMutation } from '../../api';
import { ErrorState, formatCredits, Loading } from '../../ui';
import { CreditDialog } from './CreditDialog';
import { newCreditId } from './creditId';

/** How the price came about: max(minimum, period price ÷ w), in words (SPEC §9.3). */
function priceReason(quote: ChargeNowQuoteView): string {
  const share = `${quote.periodPrice.amount} ${quote.periodPrice.currency} ÷ ${quote.week}`;
  return quote.price.amount === quote.minimum.amount
    ? `${share} is below the minimum charge, so the minimum ${quote.minimum.amount} ${quote.minimum.currency} applies`
    : `${share} = ${quote.price.amount} ${quote.price.currency} (the minimum charge is ${quote.minimum.amount} ${quote.minimum.currency})`;
}

/**
 * "Charge now" (SPEC §9.3): adds to every bucket its share of the allocation for the rest of the
 * billing month, at a prorated price. The credits and price are shown, with the billing week
 * they come from, before the admin confirms; the confirmation names that week, so a week that
 * turned meanwhile is refused rather than charged unseen.
 */
export function ChargeNowDialog({
  plan,
  onClose,
  onDone,
}: {
  plan: CreditPlan;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const preview = useCommand('plans.chargeNow', { planId: plan.id });
  const charge = useCommandMutation('plans.chargeNow');
  const [failure, setFailure] = useState<string | null>(null);
  const [requestId] = useState(() => newCreditId('CN'));
  const quote = preview.data?.quote;
  const confirmButton = useRef<HTMLButtonElement>(null);
  const ready = quote !== undefined;
  // Once the quote is shown, Enter confirms it (until then the only choice was Cancel).
  useEffect(() => {
    if (ready) confirmButton.current?.focus();
  }, [ready]);

  function submit(): void {
    if (!quote) return;
    charge.mutate(
      { planId: plan.id, confirm: { week: quote.week, id: requestId } },
      {
        onSuccess: (result) => {
          if (!result.ok) {
            setFailure(result.error.message);
            void preview.refetch();
            return;
          }
          const applied = result.value.applied;
          const total = Object.values(applied?.credits ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
          onDone(
            `Charged ${applied?.price?.amount ?? ''} ${applied?.price?.currency ?? ''}: ${formatCredits(total)} credits added until the end of the period.`,
          );
        },
      },
    );
  }

  return (
    <CreditDialog
      title={`Charge now: plan ${plan.id}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button ref={confirmButton} type="submit" className="primary" disabled={!quote || charge.isPending}>
            {charge.isPending
              ? 'Charging…'
              : quote
                ? `Confirm: charge ${quote.price.amount} ${quote.price.currency}`
                : 'Confirm'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </>
      }
    >
      {preview.isPending ? (
        <Loading what="the charge" />
      ) : preview.isError ? (
        <ErrorState
          error={preview.error}
          what="the charge"
          onRetry={() => void preview.refetch()}
        />
      ) : quote ? (
        <>
          <p data-testid="charge-week">
            Today is day {quote.day} of this {quote.days}-day period: billing week{' '}
            <strong>
              {quote.week} of {quote.weeks}
            </strong>
            {quote.weeks * 7 < quote.days
              ? ` (the last ${quote.days - quote.weeks * 7} days count as week ${quote.weeks})`
              : ''}
            .
          </p>
          <table className="data-table" aria-label="Credits charge now adds">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col" className="num">
                  Credits added
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(quote.credits).map(([bucket, credits]) => (
                <tr key={bucket}>
                  <th scope="row">{bucket === 'ALL' ? 'Shared pool' : bucket}</th>
                  <td className="num">{formatCredits(credits ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            Each bucket gets its allocation ÷ {quote.week}, rounded down; the credits expire at the
            end of this period.
          </p>
          <p data-testid="charge-price">
            Price:{' '}
            <strong>
              {quote.price.amount} {quote.price.currency}
            </strong>{' '}
            — {priceReason(quote)}.
          </p>
        </>
      ) : null}
      {failure ? (
        <div className="form-error" role="alert">
          <p>{failure}</p>
        </div>
      ) : null}
    </CreditDialog>
  );
}
