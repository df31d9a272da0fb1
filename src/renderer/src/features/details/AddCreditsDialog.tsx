import { useId, useState } from 'react';
import type { CreditPlan } from '../../../../shared/api';
import { MAX_TOP_UP_CREDITS } from '../../../../shared/api/constants';
import { bucketNames, type BucketName } from '../../../../shared/domain';
import { useCommandMutation } from '../../api';
import { formatCredits } from '../../ui';
import { CreditDialog } from './CreditDialog';
import { newCreditId } from './creditId';

const AMOUNT = /^\d{1,18}(\.\d{1,12})?$/;
const CURRENCY = /^[A-Z]{3}$/;

interface Typed {
  bucket: BucketName;
  credits: string;
  expires: 'period_end' | 'never';
  amount: string;
  currency: string;
}

/** What is wrong with each field, in words that name the limits. */
function check(typed: Typed): { credits?: string; amount?: string; currency?: string } {
  const problems: { credits?: string; amount?: string; currency?: string } = {};
  const text = typed.credits.replace(/[\s,]/g, '');
  const credits = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(credits) && credits >= 1 && credits <= MAX_TOP_UP_CREDITS)) {
    problems.credits = `Enter a whole number of credits from 1 to ${formatCredits(MAX_TOP_UP_CREDITS)}.`;
  }
  if (typed.amount.trim() !== '' && !AMOUNT.test(typed.amount.trim())) {
    problems.amount =
      'Enter the price as an amount such as 25.00 (up to 12 decimals), or leave it empty for no price.';
  }
  if (typed.amount.trim() !== '' && !CURRENCY.test(typed.currency.trim())) {
    problems.currency = 'Enter a three-letter ISO 4217 currency code such as USD.';
  }
  return problems;
}

const bucketLabel = (bucket: BucketName): string =>
  bucket === 'ALL' ? 'the shared pool (all channels)' : bucket;

/**
 * "Add credits" (SPEC §9.2): a top-up for one bucket of a live plan — credits, when they expire
 * (at the period's end, or never: spent only after the allowance, carried across renewals) and
 * an optional price — reviewed once before it is applied.
 */
export function AddCreditsDialog({
  plan,
  onClose,
  onDone,
}: {
  plan: CreditPlan;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const ids = useId();
  const buckets = bucketNames(plan.config);
  const [typed, setTyped] = useState<Typed>({
    bucket: buckets[0] ?? 'ALL',
    credits: '',
    expires: 'never',
    amount: '',
    currency: plan.config.price?.currency ?? 'USD',
  });
  const [requestId] = useState(() => newCreditId('TU'));
  const [shown, setShown] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const add = useCommandMutation('plans.addCredits');
  const problems = check(typed);
  const visible = shown ? problems : {};
  const credits = Number(typed.credits.replace(/[\s,]/g, ''));
  const price =
    typed.amount.trim() === ''
      ? undefined
      : { amount: typed.amount.trim(), currency: typed.currency.trim() };
  const set = (patch: Partial<Typed>) => {
    setTyped((current) => ({ ...current, ...patch }));
    setReviewing(false);
    setFailure(null);
  };
  const summary = `${formatCredits(credits)} credits for ${bucketLabel(typed.bucket)}, ${
    typed.expires === 'never'
      ? 'never expiring (spent after the plan’s own credits, kept across renewals)'
      : 'expiring at the end of the current period'
  }, ${price ? `for ${price.amount} ${price.currency}` : 'with no price'}`;

  function submit(): void {
    setShown(true);
    if (Object.keys(problems).length > 0) return;
    if (!reviewing) {
      setReviewing(true);
      return;
    }
    add.mutate(
      {
        planId: plan.id,
        id: requestId,
        bucket: typed.bucket,
        credits,
        expires: typed.expires,
        ...(price ? { price } : {}),
      },
      {
        onSuccess: (result) => {
          if (!result.ok) {
            setFailure(result.error.message);
            setReviewing(false);
            return;
          }
          onDone(`Added ${summary}.`);
        },
      },
    );
  }

  const error = (id: string, message: string | undefined) =>
    message ? (
      <span id={id} className="field-error">
        <p>{message}</p>
      </span>
    ) : null;

  return (
    <CreditDialog
      title={`Add credits to plan ${plan.id}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="submit" className="primary" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : reviewing ? 'Confirm: add credits' : 'Review'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </>
      }
    >
      <p className="hint">
        Add-on credits are not allocation: overage and edits never count them, and an edit never
        takes them away.
      </p>
      {buckets.length > 1 ? (
        <label className="field">
          Bucket
          <select
            value={typed.bucket}
            onChange={(event) => set({ bucket: event.target.value as BucketName })}
          >
            {buckets.map((bucket) => (
              <option key={bucket} value={bucket}>
                {bucket}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>
          Bucket: <strong>{bucketLabel(typed.bucket)}</strong>
        </p>
      )}
      <label className="field">
        Credits
        <input
          inputMode="numeric"
          autoComplete="off"
          value={typed.credits}
          aria-invalid={visible.credits ? true : undefined}
          aria-describedby={visible.credits ? `${ids}-credits` : `${ids}-credits-hint`}
          onChange={(event) => set({ credits: event.target.value })}
        />
      </label>
      <span id={`${ids}-credits-hint`} className="hint">
        A whole number from 1 to {formatCredits(MAX_TOP_UP_CREDITS)}.
      </span>
      {error(`${ids}-credits`, visible.credits)}
      <fieldset className="field">
        <legend>Expires</legend>
        <label className="field checkbox">
          <input
            type="radio"
            name={`${ids}-expires`}
            checked={typed.expires === 'never'}
            onChange={() => set({ expires: 'never' })}
          />
          Never — used only after the plan’s own credits, kept across renewals until spent
        </label>
        <label className="field checkbox">
          <input
            type="radio"
            name={`${ids}-expires`}
            checked={typed.expires === 'period_end'}
            onChange={() => set({ expires: 'period_end' })}
          />
          At the end of the current period
        </label>
      </fieldset>
      <div className="field inline">
        <label className="field">
          Price (optional)
          <input
            inputMode="decimal"
            autoComplete="off"
            placeholder="25.00"
            value={typed.amount}
            aria-invalid={visible.amount ? true : undefined}
            aria-describedby={visible.amount ? `${ids}-amount` : undefined}
            onChange={(event) => set({ amount: event.target.value })}
          />
        </label>
        <label className="field">
          Currency
          <input
            autoComplete="off"
            maxLength={3}
            size={4}
            value={typed.currency}
            aria-invalid={visible.currency ? true : undefined}
            aria-describedby={visible.currency ? `${ids}-currency` : undefined}
            onChange={(event) => set({ currency: event.target.value.toUpperCase() })}
          />
        </label>
      </div>
      {error(`${ids}-amount`, visible.amount)}
      {error(`${ids}-currency`, visible.currency)}
      {reviewing ? (
        <p className="review" role="status" data-testid="add-credits-review">
          Add {summary}? Recorded in the plan’s credit record with your name.
        </p>
      ) : null}
      {failure ? (
        <div className="form-error" role="alert">
          <p>{failure}</p>
        </div>
      ) : null}
    </CreditDialog>
  );
}
