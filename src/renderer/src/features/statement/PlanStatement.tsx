import { useId } from 'react';
import type { PlanStatementView, StatementView } from '../../../../shared/api';
import { useCommand, useRole } from '../../api';
import { href, navigate } from '../../app/router';
import { SpaceHeader } from '../space';
import { Empty, ErrorState, formatCredits, formatDay, formatInstant, Loading, PageTitle } from '../../ui';

type Period = PlanStatementView['periods'][number];
type Money = StatementView['price'];

const money = (m: Money): string => `${m.amount} ${m.currency}`;
const bucketName = (bucket: string): string => (bucket === 'ALL' ? 'shared pool' : bucket);

/** A period as its local days in the plan's zone: the end is exclusive, so its last day is the one before. */
function periodLabel(period: Period, zone: string): string {
  const last = period.end === null ? null : new Date(Date.parse(period.end) - 1).toISOString();
  return `Period ${period.index + 1}: ${formatDay(period.start, zone)} – ${last === null ? 'onwards' : formatDay(last, zone)}`;
}

function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A plan's statement per period (SPEC §9.6): price, charge-nows, the previous period's metered charge, total. */
export function PlanStatement({ spaceId, planId, period }: { spaceId: string; planId: string; period: number | undefined }) {
  const space = useCommand('spaces.get', { spaceId });
  const view = useCommand('plans.statement', { planId, period: period ?? 'current' }, { keepPrevious: true });
  const pickerId = useId();
  const role = useRole();
  const title = `Statement — credit plan ${planId}`;
  if (space.isPending || view.isPending) return <><PageTitle>{title}</PageTitle><Loading what="the statement" /></>;
  if (space.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;
  if (view.isError) return <><PageTitle>{title}</PageTitle><ErrorState error={view.error} what="the statement" onRetry={() => void view.refetch()} /></>;
  const { timeZone: zone, periods, statement } = view.data;
  const shown = view.data.period;
  const crumbs = [{ label: `Plan ${planId}`, href: href({ name: 'plan', spaceId, planId }) }, { label: 'Statement' }];

  return (
    <section>
      <SpaceHeader space={space.data} tab={null} title={title} extraCrumbs={crumbs} />
      <p className="hint">
        What the plan bills for a period: its price, each charge-now, and the metered overage of the period before. Days are counted in {zone}.
      </p>
      {periods.length === 0 || shown === null ? (
        <Empty>This plan is not active yet, so it has no period to bill.</Empty>
      ) : (
        <section className="panel" aria-labelledby={`${pickerId}-title`}>
          <div className="chart-head">
            <h2 id={`${pickerId}-title`}>{periodLabel(shown, zone)}</h2>
            {statement ? (
              <button type="button" onClick={() => download(statement.csv, statement.fileName)}>
                Export CSV
              </button>
            ) : null}
          </div>
          <div className="filters">
            <div className="field">
              <label htmlFor={pickerId}>Billing period</label>
              <select
                id={pickerId}
                value={shown.index}
                onChange={(event) => navigate({ name: 'statement', spaceId, planId, period: Number(event.target.value) })}
              >
                {[...periods].reverse().map((p, i) => (
                  <option key={p.index} value={p.index}>
                    {periodLabel(p, zone)}
                    {i === 0 ? ' (latest)' : ''}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {statement ? (
            <StatementTable statement={statement} period={shown} zone={zone} />
          ) : (
            <Empty>
              No statement for this period: the plan had no price per period then, so there is nothing to bill.
              {role === 'admin' ? (
                <>
                  {' '}
                  Give it a price in <a href={href({ name: 'wizard', spaceId, planId })}>Edit plan</a> to bill its periods from then on.
                </>
              ) : null}
            </Empty>
          )}
        </section>
      )}
      <p>
        <a href={href({ name: 'plan', spaceId, planId })}>Back to the plan details</a>
      </p>
    </section>
  );
}

function StatementTable({ statement, period, zone }: { statement: StatementView; period: Period; zone: string }) {
  return (
    <table className="data-table" aria-label="Statement" data-testid="statement-table">
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">When</th>
          <th scope="col">Credits added</th>
          <th scope="col" className="num">
            Amount
          </th>
        </tr>
      </thead>
      <tbody>
        <tr data-item="price">
          <th scope="row">Price for the period</th>
          <td>{formatInstant(period.start, zone)}</td>
          <td>—</td>
          <td className="num">{money(statement.price)}</td>
        </tr>
        {statement.charges.map((charge) => (
          <tr key={charge.id} data-item="charge">
            <th scope="row">
              Charge now <code>{charge.id}</code>
            </th>
            <td>{formatInstant(charge.at, zone)}</td>
            <td>
              {Object.entries(charge.credits)
                .filter(([, n]) => (n ?? 0) > 0)
                .map(([bucket, n]) => `${formatCredits(n ?? 0)} ${bucketName(bucket)}`)
                .join(', ')}
            </td>
            <td className="num">{money(charge.price)}</td>
          </tr>
        ))}
        <tr data-item="metered">
          <th scope="row">Metered overage of the previous period</th>
          <td>billed with this period</td>
          <td>—</td>
          <td className="num">{money(statement.previousMeteredCharge)}</td>
        </tr>
      </tbody>
      <tfoot>
        <tr data-item="total">
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td className="num">{money(statement.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
