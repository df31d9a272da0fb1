import { useId, useState, type FormEvent } from 'react';
import type { UsageExplainInput, UsageExplanationView } from '../../../../shared/api/usage-explain';
import { apiErrorOf, useCommand } from '../../api';
import { ErrorState, formatCredits, formatDay, formatInstant, Loading } from '../../ui';

type Explain = NonNullable<UsageExplanationView['explain']>;
type Tranche = Explain['paidBy'][number];
type Balance = NonNullable<Explain['before']>;
type PeriodText = NonNullable<Explain['period']>;

/**
 * "Look up a usage event" (the event explorer): for support staff auditing a complaint — why
 * was this message charged here, or blocked? One id in, the ledger's explanation out (or, for an
 * event the central service decided, the central service's, marked as such): the
 * decision, the plan version and period that decided it, which credits paid (which rolled-over
 * vintage, the allocation, a top-up, overage) and the bucket before and after.
 */
export function EventLookup({ scope }: { scope: UsageExplainInput['scope'] }) {
  const ids = useId();
  const [text, setText] = useState('');
  const [asked, setAsked] = useState('');
  const result = useCommand('usage.explain', { scope, eventId: asked }, { enabled: asked !== '' });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = text.trim();
    // The same id again asks again (the central service may be back, or sync set up since).
    if (id !== '' && id === asked) void result.refetch();
    else if (id !== '') setAsked(id);
  };

  const notFound = result.isError && apiErrorOf(result.error).kind === 'not_found';
  return (
    <section className="panel" aria-labelledby={`${ids}-title`} data-testid="event-lookup">
      <h2 id={`${ids}-title`}>Look up a usage event</h2>
      <p className="hint">Why was an event charged or refused? Enter its id (as the messaging platform sent it).</p>
      <form className="filters" role="search" aria-label="Look up a usage event" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={`${ids}-id`}>Usage event id</label>
          <input id={`${ids}-id`} value={text} onChange={(event) => setText(event.target.value)} autoComplete="off" spellCheck={false} maxLength={200} />
        </div>
        <button type="submit" className="primary" disabled={text.trim() === ''}>
          Look up
        </button>
      </form>
      <div aria-live="polite" data-testid="event-lookup-result">
        {asked === '' ? null : result.isPending ? (
          <Loading what={`usage event ${asked}`} />
        ) : notFound ? (
          <p className="state state-empty" role="status">
            {/* The main process says where it looked: this console, and the central service when sync is set up. */}
            {apiErrorOf(result.error).message}
          </p>
        ) : result.isError ? (
          <ErrorState error={result.error} what={`usage event ${asked}`} onRetry={() => void result.refetch()} />
        ) : (
          <Explanation view={result.data} />
        )}
      </div>
    </section>
  );
}

function periodRange(period: PeriodText, timeZone: string): string {
  const start = formatDay(period.start, timeZone);
  // Periods end at the next period's first instant: the last day is the one before it.
  return period.end === null ? `from ${start} (no renewal)` : `${start} – ${formatDay(new Date(Date.parse(period.end) - 1).toISOString(), timeZone)}`;
}

function decisionText(view: UsageExplanationView): string {
  const x = view.explain;
  if (x === null) return 'Accepted, not limited: no credit plan covered this event';
  if (x.accepted) {
    if (x.bucket === null) return 'Accepted, not limited: the plan did not limit this event';
    return x.credits === 0 ? 'Accepted, free (MO message)' : `Accepted: charged ${formatCredits(x.credits)} credits`;
  }
  switch (x.reason) {
    case 'exhausted':
      return 'Rejected: credits exhausted';
    case 'daily_limit':
      return 'Rejected: daily limit reached';
    case 'out_of_order':
      return 'Rejected: out of order';
    default:
      return 'Rejected';
  }
}

function refusalText(x: Explain, timeZone: string): string | null {
  if (x.accepted) return null;
  const b = x.before;
  if (x.reason === 'exhausted' && b !== null) {
    const topUps = b.topUpsLeft > 0 ? ` and ${formatCredits(b.topUpsLeft)} top-up credits` : '';
    return `It needed ${formatCredits(x.credits)} credits; the ${x.bucket === 'ALL' ? 'all-channels' : (x.bucket ?? '')} bucket had only ${formatCredits(b.remaining)} plan credits${topUps} left${b.overageAdded > 0 ? ' (overage already added this period)' : ''}.`;
  }
  if (x.reason === 'daily_limit' && b?.daily !== undefined && b.daily.limit !== null) {
    return `It needed ${formatCredits(x.credits)} credits; ${formatCredits(b.daily.used)} of the daily limit of ${formatCredits(b.daily.limit)} were already used that day.`;
  }
  if (x.reason === 'out_of_order' && x.planClock !== undefined) return `The plan had already decided events up to ${formatInstant(x.planClock, timeZone)}.`;
  return null;
}

function trancheLabel(t: Tranche, timeZone: string): string {
  switch (t.source) {
    case 'rollover':
      return t.period === null ? `Rolled over from period ${t.origin}` : `Rolled over from the period ${periodRange(t.period, timeZone)}`;
    case 'allocation':
      return 'This period’s allocation';
    case 'top_up':
      return `Top-up ${t.lot} (${t.expires === 'never' ? 'never expires' : 'until the period ends'})`;
    case 'overage':
      return t.triggered ? 'Overage (added by this event)' : 'Overage';
    case 'metered':
      return 'Metered overage (billed at the overage rate)';
  }
}

function Explanation({ view }: { view: UsageExplanationView }) {
  const { event, plan, explain: x } = view;
  const timeZone = plan?.timeZone ?? 'UTC';
  const refusal = x === null ? null : refusalText(x, timeZone);
  return (
    <div data-testid="event-explanation">
      <h3>
        Event <code>{event.id}</code>
      </h3>
      <p className={x === null || x.accepted ? 'ok-text' : 'error-text'} data-testid="event-decision">
        <strong>{decisionText(view)}</strong>
      </p>
      {refusal !== null ? <p data-testid="event-refusal">{refusal}</p> : null}
      {view.decidedBy === 'central' ? (
        <p className="hint" data-testid="event-decided-by">
          <span className="badge">Decided by the central service</span> This console knows the event only within its 15-minute usage totals; the
          central service explained it
          {event.decidedAt !== undefined && Date.parse(event.decidedAt) !== Date.parse(event.occurredAt)
            ? `, decided at ${formatInstant(event.decidedAt, timeZone)} (it arrived after later events)`
            : ''}
          .
        </p>
      ) : null}
      <dl className="facts grid">
        <div>
          <dt>Occurred</dt>
          <dd>{formatInstant(event.occurredAt, timeZone)}</dd>
        </div>
        <div>
          <dt>Channel</dt>
          <dd>
            {event.channel} {event.direction}
          </dd>
        </div>
        <div>
          <dt>Space</dt>
          <dd>{event.spaceName}</dd>
        </div>
        <div>
          <dt>Plan</dt>
          <dd data-testid="event-plan">{plan === null ? 'None' : `${plan.id}, version ${plan.version}${plan.deleted ? ' (deleted)' : ''}`}</dd>
        </div>
        {x?.period ? (
          <div>
            <dt>Period ({timeZone})</dt>
            <dd data-testid="event-period">{periodRange(x.period, timeZone)}</dd>
          </div>
        ) : null}
        {x?.bucket ? (
          <div>
            <dt>Bucket</dt>
            <dd>{x.bucket === 'ALL' ? 'All channels' : x.bucket}</dd>
          </div>
        ) : null}
        {event.identity !== null ? (
          <div>
            <dt>Identity</dt>
            <dd>{event.identity}</dd>
          </div>
        ) : null}
        {event.campaign !== null ? (
          <div>
            <dt>Campaign</dt>
            <dd>{event.campaign}</dd>
          </div>
        ) : null}
      </dl>
      {x !== null && x.paidBy.length > 0 ? (
        <table className="data-table compact" aria-label="Credits that paid this event" data-testid="event-tranches">
          <thead>
            <tr>
              <th scope="col">Paid from (in the order of spending)</th>
              <th scope="col" className="num">
                Credits
              </th>
            </tr>
          </thead>
          <tbody>
            {x.paidBy.map((t, i) => (
              <tr key={i}>
                <th scope="row">{trancheLabel(t, timeZone)}</th>
                <td className="num">{formatCredits(t.credits)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num">{formatCredits(x.credits)}</td>
            </tr>
          </tfoot>
        </table>
      ) : null}
      {x?.before && x.after ? <Balances before={x.before} after={x.after} accepted={x.accepted} timeZone={timeZone} /> : null}
    </div>
  );
}

function Balances({ before, after, accepted, timeZone }: { before: Balance; after: Balance; accepted: boolean; timeZone: string }) {
  const rows: [string, number, number][] = [];
  before.vintages.forEach((v, i) => {
    const left = after.vintages[i]?.credits ?? 0;
    // A vintage already spent before the event says nothing about it.
    if (v.credits === 0 && left === 0) return;
    rows.push([v.period ? `Rolled over from the period ${periodRange(v.period, timeZone)}` : `Rolled over from period ${v.origin}`, v.credits, left]);
  });
  rows.push(['Allocation left', before.allocationLeft, after.allocationLeft]);
  if (before.overageAdded > 0 || after.overageAdded > 0) rows.push(['Overage left', before.overageLeft, after.overageLeft]);
  if (before.topUpsLeft > 0 || after.topUpsLeft > 0) rows.push(['Top-up credits left', before.topUpsLeft, after.topUpsLeft]);
  if (before.metered !== undefined) rows.push(['Metered credits this period', before.metered, after.metered ?? 0]);
  if (before.daily !== undefined) rows.push([`Used that day${before.daily.limit === null ? '' : ` (limit ${formatCredits(before.daily.limit)})`}`, before.daily.used, after.daily?.used ?? 0]);
  return (
    <table className="data-table compact" aria-label="The bucket before and after this event" data-testid="event-balances">
      <caption className="hint">{accepted ? 'The bucket before and after the event' : 'The bucket that refused the event (unchanged by it)'}</caption>
      <thead>
        <tr>
          <th scope="col">Credits</th>
          <th scope="col" className="num">
            Before
          </th>
          <th scope="col" className="num">
            After
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, b, a]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td className="num">{formatCredits(b)}</td>
            <td className="num">{formatCredits(a)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Plan credits remaining</th>
          <td className="num" data-testid="balance-before">
            {formatCredits(before.remaining)}
          </td>
          <td className="num" data-testid="balance-after">
            {formatCredits(after.remaining)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
