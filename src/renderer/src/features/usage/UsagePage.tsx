import { useId, type ReactNode } from 'react';
import type { UsageReport, UsageReportInput, UsageShare } from '../../../../shared/api/usage-report';
import { apiErrorOf, useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { SpaceHeader } from '../space/SpaceHeader';
import { Breadcrumbs, Empty, ErrorState, formatCredits, Loading, PageTitle } from '../../ui';
import { csvFileName, overTimeCsv, shareLabel, sharesCsv } from './csv';
import { EventLookup } from './EventLookup';
import { DEFAULT_FILTERS, useUsageFilters, type Grouping, type UsageFilters, type UsageRange } from './store';
import { OverTimeChart, ShareChart } from './UsageCharts';

export type UsageScope = UsageReportInput['scope'];

const RANGE_LABEL: Record<UsageRange, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  this_week: 'This week',
  last_week: 'Last week',
  this_month: 'This month',
  last_month: 'Last month',
  this_year: 'This year',
  custom: 'Custom range',
};
const BUCKET_WORD = { day: 'Day', week: 'Week starting', month: 'Month starting' } as const;
const IDENTITY = { one: 'identity', many: 'identities', title: 'Identity' };
const CAMPAIGN = { one: 'campaign', many: 'campaigns', title: 'Campaign' };

function scopeKey(scope: UsageScope): string {
  return scope.kind === 'space' ? `space:${scope.spaceId}` : `env:${scope.environmentId}`;
}

/** The report's input for the reader's filters; null while a custom range is incomplete or reversed. */
export function reportInput(scope: UsageScope, filters: UsageFilters): UsageReportInput | null {
  const base: UsageReportInput = { scope, range: filters.range, groupBy: filters.groupBy };
  if (filters.timeZone !== null) base.timeZone = filters.timeZone;
  if (filters.range !== 'custom') return base;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(filters.customFrom) || !/^\d{4}-\d{2}-\d{2}$/.test(filters.customTo) || filters.customFrom > filters.customTo) return null;
  return { ...base, custom: { from: filters.customFrom, to: filters.customTo } };
}

/**
 * The Usage screen of a space or an environment: who used the credits, on which channel and for
 * which campaign, and when — over a calendar range in one zone, grouped by day, week or month.
 */
export function UsagePage({ scope }: { scope: UsageScope }) {
  const key = scopeKey(scope);
  const filters = useUsageFilters((state) => state.byScope[key]) ?? DEFAULT_FILTERS;
  const setFilters = useUsageFilters((state) => state.set);
  const input = reportInput(scope, filters);
  const report = useCommand('usage.report', input ?? { scope, range: 'today', groupBy: 'day' }, { enabled: input !== null, keepPrevious: true });
  const role = useRole();
  const ids = useId();

  const forbidden = report.isError && apiErrorOf(report.error).kind === 'forbidden';
  const data = report.data;
  const update = (patch: Partial<UsageFilters>) => setFilters(key, patch);
  const chooseRange = (range: UsageRange) => {
    // A custom range starts from the days shown now.
    if (range === 'custom' && (filters.customFrom === '' || filters.customTo === '') && data) {
      update({ range, customFrom: data.fromDate, customTo: lastDay(data) });
    } else update({ range });
  };
  const zones = data ? [...new Set([...data.planZones, data.timeZone, 'UTC'])] : [];

  return (
    <section aria-busy={report.isFetching}>
      <UsageHeader scope={scope} name={data?.scope.name} />
      {forbidden || role === 'account_manager' ? (
        <Empty>
          <p>Usage analytics are open to admins and support staff.</p>
        </Empty>
      ) : (
        <>
          <div className="filters" role="group" aria-label="Usage filters">
            <div className="field">
              <label htmlFor={`${ids}-range`}>Time range</label>
              <select id={`${ids}-range`} value={filters.range} onChange={(event) => chooseRange(event.target.value as UsageRange)}>
                {(Object.keys(RANGE_LABEL) as UsageRange[]).map((range) => (
                  <option key={range} value={range}>
                    {RANGE_LABEL[range]}
                  </option>
                ))}
              </select>
            </div>
            {filters.range === 'custom' ? (
              <>
                <div className="field">
                  <label htmlFor={`${ids}-from`}>From</label>
                  <input id={`${ids}-from`} type="date" value={filters.customFrom} onChange={(event) => update({ customFrom: event.target.value })} />
                </div>
                <div className="field">
                  <label htmlFor={`${ids}-to`}>To (inclusive)</label>
                  <input id={`${ids}-to`} type="date" value={filters.customTo} onChange={(event) => update({ customTo: event.target.value })} />
                </div>
              </>
            ) : null}
            <div className="field">
              <label htmlFor={`${ids}-group`}>Group by</label>
              <select id={`${ids}-group`} value={filters.groupBy} onChange={(event) => update({ groupBy: event.target.value as Grouping })}>
                <option value="day">Day</option>
                <option value="week">Week</option>
                <option value="month">Month</option>
              </select>
            </div>
            {zones.length > 0 ? (
              <div className="field">
                <label htmlFor={`${ids}-zone`}>Time zone</label>
                <select
                  id={`${ids}-zone`}
                  value={data?.timeZone ?? ''}
                  onChange={(event) => update({ timeZone: event.target.value === data?.planZones[0] ? null : event.target.value })}
                >
                  {zones.map((zone) => (
                    <option key={zone} value={zone}>
                      {zone}
                      {zone === data?.planZones[0] ? ' (plans’ zone)' : ''}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
          </div>
          {input === null ? (
            <p className="hint" role="status">
              Choose a first day on or before the last day.
            </p>
          ) : report.isPending ? (
            <Loading what="usage" />
          ) : report.isError ? (
            <ErrorState error={report.error} what="usage" onRetry={() => void report.refetch()} />
          ) : (
            <UsageBody report={report.data} stale={report.isPlaceholderData} />
          )}
          <EventLookup scope={scope} />
        </>
      )}
    </section>
  );
}

function lastDay(report: UsageReport): string {
  return report.daily[report.daily.length - 1]?.date ?? report.fromDate;
}

function UsageHeader({ scope, name }: { scope: UsageScope; name: string | undefined }) {
  const space = useCommand('spaces.get', { spaceId: scope.kind === 'space' ? scope.spaceId : '' }, { enabled: scope.kind === 'space' });
  if (scope.kind === 'space') {
    if (space.data) return <SpaceHeader space={space.data} tab="usage" title={`Usage of ${space.data.name}`} />;
    return <PageTitle>Usage</PageTitle>;
  }
  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Environments', href: href({ name: 'environments' }) },
          { label: name ?? scope.environmentId, href: href({ name: 'spaces', environmentId: scope.environmentId }) },
          { label: 'Usage' },
        ]}
      />
      <PageTitle>Usage of {name ?? 'the environment'}</PageTitle>
    </>
  );
}

function zoneNote(report: UsageReport): string {
  const scopeWords = report.scope.kind === 'space' ? 'this space’s credit plans' : 'the credit plans of this environment';
  switch (report.zoneSource) {
    case 'plans':
      return `Days are counted in ${report.timeZone}, the zone of ${scopeWords}.`;
    case 'plans_differ':
      return `${scopeWords[0]!.toUpperCase()}${scopeWords.slice(1)} use several zones (${report.planZones.join(', ')}); days are counted in ${report.timeZone}, the one most of them use.`;
    case 'no_plan':
      return 'There is no credit plan here yet: days are counted in UTC.';
    case 'chosen':
      return `Days are counted in ${report.timeZone}, as chosen.`;
  }
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

function Section({ title, id, exportLabel, onExport, children }: { title: string; id: string; exportLabel: string; onExport: (() => void) | null; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="chart-head">
        <h2 id={id}>{title}</h2>
        {onExport ? (
          <button type="button" onClick={onExport} aria-label={exportLabel}>
            Export CSV
          </button>
        ) : null}
      </div>
      {children}
    </section>
  );
}

function UsageBody({ report, stale }: { report: UsageReport; stale: boolean }) {
  const empty = report.total.used === 0 && report.total.mo === 0 && report.total.rejected === 0;
  const last = lastDay(report);
  return (
    <div aria-busy={stale}>
      <p className="hint" data-testid="usage-window">
        {report.fromDate === last ? report.fromDate : `${report.fromDate} to ${last}`}. {zoneNote(report)}
      </p>
      <dl className="facts" data-testid="usage-totals">
        <div>
          <dt>Credits used</dt>
          <dd data-testid="total-used">{formatCredits(report.total.used)}</dd>
        </div>
        <div>
          <dt>MO messages (free)</dt>
          <dd data-testid="total-mo">{formatCredits(report.total.mo)}</dd>
        </div>
        <div>
          <dt>Rejected by a plan (not charged)</dt>
          <dd>{formatCredits(report.total.rejected)}</dd>
        </div>
      </dl>
      <Section
        title="Credits used over time"
        id="usage-over-time"
        exportLabel="Export credits used over time as CSV"
        onExport={empty ? null : () => download(overTimeCsv(report), csvFileName(report, 'over-time'))}
      >
        {empty ? (
          <p className="state state-empty">No usage in this range.</p>
        ) : (
          <>
            <OverTimeChart report={report} />
            <OverTimeTable report={report} />
          </>
        )}
      </Section>
      <Section
        title="Credits used by identity"
        id="usage-by-identity"
        exportLabel="Export credits used by identity as CSV"
        onExport={report.byIdentity.length === 0 ? null : () => download(sharesCsv(report.byIdentity, IDENTITY), csvFileName(report, 'identities'))}
      >
        <Shares shares={report.byIdentity} noun={IDENTITY} total={report.total.used} testId="usage-identity" />
      </Section>
      <Section
        title="Credits used by campaign"
        id="usage-by-campaign"
        exportLabel="Export credits used by campaign as CSV"
        onExport={report.byCampaign.length === 0 ? null : () => download(sharesCsv(report.byCampaign, CAMPAIGN), csvFileName(report, 'campaigns'))}
      >
        <Shares shares={report.byCampaign} noun={CAMPAIGN} total={report.total.used} testId="usage-campaign" />
      </Section>
    </div>
  );
}

function OverTimeTable({ report }: { report: UsageReport }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Credits used over time, table (scrolls)">
      <table className="data-table" aria-label="Credits used over time" data-testid="usage-over-time-table">
        <thead>
          <tr>
            <th scope="col">
              {BUCKET_WORD[report.groupBy]} ({report.timeZone})
            </th>
            {report.channels.map((channel) => (
              <th key={channel} scope="col" className="num">
                {channel}
              </th>
            ))}
            <th scope="col" className="num">
              Total credits used
            </th>
            <th scope="col" className="num">
              MO messages (free)
            </th>
          </tr>
        </thead>
        <tbody>
          {report.series.map((point) => (
            <tr key={point.start}>
              <th scope="row">{point.start}</th>
              {report.channels.map((channel) => (
                <td key={channel} className="num">
                  {formatCredits(point.byChannel[channel] ?? 0)}
                </td>
              ))}
              <td className="num">{formatCredits(point.total)}</td>
              <td className="num">{formatCredits(point.mo)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {report.byChannel.map((c) => (
              <td key={c.channel} className="num">
                {formatCredits(c.used)}
              </td>
            ))}
            <td className="num">{formatCredits(report.total.used)}</td>
            <td className="num">{formatCredits(report.total.mo)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Shares({ shares, noun, total, testId }: { shares: UsageShare[]; noun: { one: string; many: string; title: string }; total: number; testId: string }) {
  if (shares.length === 0) return <p className="state state-empty">No usage in this range.</p>;
  if (shares.every((s) => s.kind === 'none')) {
    return <p className="state state-empty">No event in this range names a {noun.one}.</p>;
  }
  return (
    <>
      <ShareChart shares={shares} noun={noun} testId={`${testId}-chart`} />
      <table className="data-table" aria-label={`Credits used by ${noun.one}`} data-testid={`${testId}-table`}>
        <thead>
          <tr>
            <th scope="col">{noun.title}</th>
            <th scope="col" className="num">
              Credits used
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              MO messages (free)
            </th>
            <th scope="col" className="num">
              Rejected credits
            </th>
          </tr>
        </thead>
        <tbody>
          {shares.map((share) => (
            <tr key={`${share.kind}:${share.name ?? ''}`} data-kind={share.kind}>
              <th scope="row">{shareLabel(share, noun)}</th>
              <td className="num">{formatCredits(share.used)}</td>
              <td className="num">{total > 0 ? `${((100 * share.used) / total).toFixed(1)} %` : '—'}</td>
              <td className="num">{formatCredits(share.mo)}</td>
              <td className="num">{formatCredits(share.rejected)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
