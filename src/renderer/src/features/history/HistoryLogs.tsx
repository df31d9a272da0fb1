import { Fragment, memo, useEffect, useMemo, useState } from 'react';
import type { CreditPlan, HistoryEntry, HistoryFilter } from '../../../../shared/api';
import { HISTORY_ACTION_LABEL, HISTORY_ENTRY_ACTIONS, HISTORY_SYNC_LABEL, type HistoryEntryAction } from '../../../../shared/api/constants';
import { creditGrantWords } from '../../../../shared/mail/credit-words';
import { fieldLabel, fieldValueLabel, overageLabel } from '../../../../shared/domain';
import { useApi, useCommand, usePrefetchCommand } from '../../api';
import { afterNextPaint, billingDate, creditsLabel, ErrorState, formatCredits, formatInstant, limitLabel, Loading, renewLabel, yesNo } from '../../ui';
import { loadedHistoryDates, loadHistoryDates, needsDates, toHistoryFilter, useHistoryDates } from './filter';
import { EMPTY_FILTER, useHistoryFilters } from './store';
import { useDebounced } from './useDebounced';

const PAGE_SIZE = 50;
/** A date field about to be used starts loading the date conversions (filter.ts). */
const loadDatesEarly = { onFocus: () => void loadHistoryDates(), onPointerEnter: () => void loadHistoryDates() };

/**
 * The first page's input with the space's filters as they are now; null when a date filter is
 * set before the date conversions have loaded (the list then asks itself once they have).
 */
export function firstHistoryPageInput(spaceId: string): { filter: HistoryFilter; cursor: null; limit: number } | null {
  const filter = toHistoryFilter(spaceId, useHistoryFilters.getState().bySpace[spaceId] ?? EMPTY_FILTER, loadedHistoryDates());
  return filter === null ? null : { filter, cursor: null, limit: PAGE_SIZE };
}

/**
 * For the screen that shows the history once its own data has loaded: ask for the first page
 * with the filters as they are now, at the same time as that data. True once that page has
 * settled (or when there is nothing to ask yet).
 */
export function usePrefetchHistory(spaceId: string): boolean {
  // Read once per space, not subscribed: typing in a filter must not prefetch at each key.
  const input = useMemo(() => firstHistoryPageInput(spaceId), [spaceId]);
  return usePrefetchCommand('history.list', input);
}

/** "Credit History Logs": every version of every plan of the space, filtered, in keyset pages. */
export function HistoryLogs({ spaceId, plans }: { spaceId: string; plans: CreditPlan[] }) {
  const form = useHistoryFilters((state) => state.bySpace[spaceId] ?? EMPTY_FILTER);
  const setFilter = useHistoryFilters((state) => state.set);
  const resetFilter = useHistoryFilters((state) => state.reset);
  const actor = useDebounced(form.actor, 300);
  const dates = useHistoryDates(needsDates(form));
  const filter = useMemo(() => toHistoryFilter(spaceId, { ...form, actor }, dates), [spaceId, form, actor, dates]);
  const filterKey = JSON.stringify(filter);
  const actors = useMemo(() => Array.from(new Set(plans.flatMap((plan) => [plan.createdBy, plan.updatedBy]))).sort(), [plans]);

  return (
    <section className="history" aria-labelledby="history-title">
      <div className="section-head">
        <h2 id="history-title">Credit History Logs</h2>
        <ExportCsv filter={filter} />
      </div>
      <form className="filters" aria-label="Filter the history" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="history-from">From</label>
          <input id="history-from" type="date" value={form.fromDate} {...loadDatesEarly} onChange={(event) => setFilter(spaceId, { fromDate: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="history-to">To</label>
          <input id="history-to" type="date" value={form.toDate} {...loadDatesEarly} onChange={(event) => setFilter(spaceId, { toDate: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="history-plan">Plan</label>
          <select id="history-plan" value={form.planId} onChange={(event) => setFilter(spaceId, { planId: event.target.value })}>
            <option value="">All plans</option>
            {plans.map((plan) => (
              <option key={plan.id} value={plan.id}>
                {plan.id}
                {plan.status === 'deleted' ? ' (deleted)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="history-action">Action</label>
          <select
            id="history-action"
            value={form.action}
            onChange={(event) => setFilter(spaceId, { action: event.target.value as HistoryEntryAction | '' })}
          >
            <option value="">All actions</option>
            {HISTORY_ENTRY_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {HISTORY_ACTION_LABEL[action]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="history-actor">Who</label>
          <input
            id="history-actor"
            type="search"
            list="history-actors"
            value={form.actor}
            placeholder="Any part of a name"
            aria-describedby="history-actor-hint"
            onChange={(event) => setFilter(spaceId, { actor: event.target.value })}
          />
          {/* The log matches the full name; suggest the people who touched this space's plans. */}
          <datalist id="history-actors">
            {actors.map((actor) => (
              <option key={actor} value={actor} />
            ))}
          </datalist>
          <span id="history-actor-hint" className="visually-hidden">
            The person's full name, as the log records it.
          </span>
        </div>
        <button type="button" onClick={() => resetFilter(spaceId)}>
          Clear filters
        </button>
      </form>
      {/* A new filter starts again at the newest page. */}
      {filter === null ? <Loading what="the history" /> : <HistoryPages key={filterKey} filter={filter} />}
    </section>
  );
}

function HistoryPages({ filter }: { filter: HistoryFilter }) {
  // Keyset paging: the cursors of the pages seen so far, so Newer goes back without offsets.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex] ?? null;
  const page = useCommand('history.list', { filter, cursor, limit: PAGE_SIZE }, { keepPrevious: true });
  const nextCursor = page.data?.nextCursor ?? null;
  // Fetch the following page ahead, so "Older" answers from the cache; once this page has been
  // painted, so that its request, its answer and the re-render it causes do not compete with
  // that first frame.
  const painted = usePaintedOnce(page.data !== undefined);
  useCommand('history.list', { filter, cursor: nextCursor, limit: PAGE_SIZE }, { enabled: nextCursor !== null && painted });

  if (page.isPending) return <Loading what="the history" />;
  if (page.isError) return <ErrorState error={page.error} what="the history" onRetry={() => void page.refetch()} />;
  const entries = page.data.entries;
  const first = pageIndex * PAGE_SIZE + 1;
  return (
    <>
      {entries.length === 0 ? (
        <p className="state state-empty">{pageIndex === 0 ? 'No history entry matches these filters.' : 'No older entries.'}</p>
      ) : (
        // Scrolls inside its card when a narrow window cannot hold every column.
        <div className="table-scroll">
          <HistoryTable entries={entries} />
        </div>
      )}
      <nav className="pager" aria-label="History pages">
        <button type="button" disabled={pageIndex === 0} onClick={() => setCursors((list) => list.slice(0, -1))}>
          ← Newer
        </button>
        <span role="status" aria-live="polite" data-testid="history-range">
          {entries.length > 0 ? `Entries ${first}–${first + entries.length - 1}` : ''}
          {page.isPlaceholderData ? ' (loading…)' : ''}
        </span>
        <button type="button" disabled={nextCursor === null || page.isPlaceholderData} onClick={() => setCursors((list) => [...list, nextCursor])}>
          Older →
        </button>
      </nav>
    </>
  );
}

/** True from the first task after the frame that followed `ready` turning true. */
function usePaintedOnce(ready: boolean): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (!ready || painted) return;
    return afterNextPaint(() => setPainted(true));
  }, [ready, painted]);
  return painted;
}

/** The least height of a history row (one line of text and the expander's button), in px. */
const ROW_MIN_HEIGHT = 40;

/**
 * How many rows the table's first frame draws: enough to fill the whole window even if the
 * table started at its top. The rest of the page follows in the frame after, before anyone could
 * scroll to it; the first frame then costs what its visible rows cost (each row is 15 elements
 * to build, style and lay out), not what 50 cost.
 */
function rowsInFirstFrame(): number {
  return Math.ceil(window.innerHeight / ROW_MIN_HEIGHT) + 1;
}

const versionKey = (entry: HistoryEntry): string => `${entry.planId}\u0000${entry.version}`;

/**
 * The versions of a plan that two entries carry: mine, set aside in a conflict, and the central
 * one that took that number. The one that took effect says so, beside the other's mark.
 */
function contestedVersions(entries: readonly HistoryEntry[]): ReadonlySet<string> {
  const contested = new Set<string>();
  for (const entry of entries) if (entry.sync === 'dropped' || entry.sync === 'rebased' || entry.sync === 'conflicted') contested.add(versionKey(entry));
  return contested;
}

/** Memoised: the pager re-renders (the next page arriving, "loading…") without the 50 rows. */
const HistoryTable = memo(function HistoryTable({ entries }: { entries: HistoryEntry[] }) {
  // Only while the table first appears: later pages replace rows already drawn, all at once.
  const [firstFrameRows] = useState(rowsInFirstFrame);
  const rows = usePaintedOnce(true) ? entries : entries.slice(0, firstFrameRows);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const contested = useMemo(() => contestedVersions(entries), [entries]);
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <table className="data-table history-table" aria-labelledby="history-title">
      <thead>
        <tr>
          <th scope="col"><span className="visually-hidden">Changes</span></th>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Plan ID</th>
          <th scope="col" className="num">Version</th>
          <th scope="col">Billing date</th>
          <th scope="col">{fieldLabel('limit')}</th>
          <th scope="col" className="num">{fieldLabel('credits')}</th>
          <th scope="col">{fieldLabel('renew')}</th>
          <th scope="col">{fieldLabel('rollover')}</th>
          <th scope="col">{fieldLabel('overage')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((entry) => {
          const expanded = open.has(entry.id);
          return (
            <Fragment key={entry.id}>
              <tr data-history-id={entry.id} className={expanded ? 'expanded' : undefined}>
                <td>
                  <button
                    type="button"
                    className="expander"
                    aria-expanded={expanded}
                    aria-controls={`changes-${entry.id}`}
                    aria-label={`${expanded ? 'Hide' : 'Show'} changes of ${HISTORY_ACTION_LABEL[entry.action].toLowerCase()} ${entry.planId} v${entry.version}`}
                    onClick={() => toggle(entry.id)}
                  >
                    {expanded ? '▾' : '▸'}
                  </button>
                </td>
                <td className="when"><time dateTime={entry.at}>{formatInstant(entry.at)}</time></td>
                <td>{entry.actor}</td>
                {/* Classes on the cells rather than an element inside each: a page is 50 rows. */}
                <td className={`action action-${entry.action}`}>
                  {HISTORY_ACTION_LABEL[entry.action]}
                  {entry.credit !== undefined ? <span className="credit-grant">{creditGrantWords(entry.credit)}</span> : null}
                  {/* Only what an auditor must not miss: a change that was not, or not at once, applied. */}
                  {entry.sync === 'local' || entry.sync === 'confirmed' ? (
                    contested.has(versionKey(entry)) ? <span className="tag sync-effect">Took effect as version {entry.version}</span> : null
                  ) : (
                    <span className={`tag sync-${entry.sync}`}>{HISTORY_SYNC_LABEL[entry.sync]}</span>
                  )}
                </td>
                <td className="mono">{entry.planId}</td>
                <td className="num">{entry.version}</td>
                <td>{billingDate(entry.config)}</td>
                <td>{limitLabel(entry.config)}</td>
                <td className="num">{creditsLabel(entry.config)}</td>
                <td>{renewLabel(entry.config.renew)}</td>
                <td>{yesNo(entry.config.rollover)}</td>
                <td>{entry.config.overageMetered === true ? overageLabel('metered') : yesNo(entry.config.overage)}</td>
              </tr>
              {expanded ? (
                <tr id={`changes-${entry.id}`} className="changes-row">
                  <td />
                  <td colSpan={11}>
                    {entry.changes.length === 0 ? (
                      <p>
                        {entry.credit !== undefined
                          ? `${entry.credit.id}: ${creditGrantWords(entry.credit)}. The plan's configuration did not change.`
                          : entry.action === 'created'
                            ? 'Plan created with the configuration above.'
                            : 'No field changed.'}
                      </p>
                    ) : (
                      <ul className="changes" aria-label="Changes">
                        {entry.changes.map((change) => (
                          <li key={change.field}>
                            <strong>{fieldLabel(change.field)}</strong>: <span className="old">{fieldValueLabel(change.field, change.old)}</span> →{' '}
                            <span className="new">{fieldValueLabel(change.field, change.new)}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
});

function ExportCsv({ filter }: { filter: HistoryFilter | null }) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });
  return (
    <div className="export">
      <button
        type="button"
        disabled={state.busy || filter === null}
        onClick={async () => {
          if (filter === null) return;
          setState({ busy: true, message: null, error: false });
          const result = await api.call('history.exportCsv', { filter });
          if (!result.ok) {
            setState({ busy: false, message: `Export failed: ${result.error.message}`, error: true });
            return;
          }
          const url = URL.createObjectURL(new Blob([result.value.csv], { type: 'text/csv;charset=utf-8' }));
          const link = document.createElement('a');
          link.href = url;
          link.download = result.value.fileName;
          document.body.append(link);
          link.click();
          link.remove();
          window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
          setState({ busy: false, message: `Exported ${result.value.rowCount === 1 ? '1 entry' : `${formatCredits(result.value.rowCount)} entries`} to ${result.value.fileName}.`, error: false });
        }}
      >
        {state.busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {state.message ? (
        <span role={state.error ? 'alert' : 'status'} className={state.error ? 'error-text' : 'ok-text'}>
          {state.message}
        </span>
      ) : null}
    </div>
  );
}
