import { useState } from 'react';
import { useCommand, useCommandMutation, useRole } from '../../api';
import { ErrorState, formatCredits, formatInstant, Loading, PageTitle } from '../../ui';
import { ConflictList } from './ConflictList';
import { SyncSettingsForm } from './SyncSettingsForm';

const STATE_LABEL = { not_configured: 'Not configured', connected: 'Connected', offline: 'Offline', syncing: 'Syncing…' } as const;

/**
 * A pull of several pages: records applied so far, and of how many when the central service
 * said (the total is its count at the start of the pull, so it can only be an estimate).
 */
function PullProgress({ done, total }: { done: number; total: number | null }) {
  const percent = total !== null && total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : null;
  return (
    <div className="pull-progress">
      <dt id="pull-progress-label">Pulling</dt>
      <dd data-testid="pull-progress">
        {total !== null ? (
          <>
            <progress aria-labelledby="pull-progress-label" value={Math.min(done, total)} max={total} />{' '}
            {formatCredits(done)} of {formatCredits(total)} records{percent !== null ? ` (${percent}%)` : ''}
          </>
        ) : (
          `${formatCredits(done)} records so far`
        )}
      </dd>
    </div>
  );
}

/** Sync status, pending changes, and each Account Manager e-mail with its status and content. */
export function SyncPanel() {
  const status = useCommand('sync.status', {});
  const notifications = useCommand('notifications.list', {});
  const role = useRole();
  const syncNow = useCommandMutation('sync.now');
  const [open, setOpen] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<string | null>(null);

  return (
    <section>
      <PageTitle>Sync &amp; notifications</PageTitle>
      <section className="panel" aria-labelledby="sync-title">
        <h2 id="sync-title">Central service</h2>
        {status.isPending ? (
          <Loading what="the sync status" />
        ) : status.isError ? (
          <ErrorState error={status.error} what="the sync status" onRetry={() => void status.refetch()} />
        ) : (
          <>
            <dl className="facts grid">
              <div><dt>Status</dt><dd><span className={`status sync-${status.data.state}`}>{STATE_LABEL[status.data.state]}</span></dd></div>
              <div><dt>Central service</dt><dd>{status.data.centralUrl ?? 'Not set'}</dd></div>
              <div><dt>Last sync</dt><dd>{status.data.lastSyncAt ? formatInstant(status.data.lastSyncAt) : 'Never'}</dd></div>
              <div><dt>Pending changes</dt><dd data-testid="pending-changes">{status.data.pendingChanges}</dd></div>
              <div><dt>Conflicts</dt><dd>{status.data.conflicts}</dd></div>
              {status.data.pull ? <PullProgress done={status.data.pull.done} total={status.data.pull.total} /> : null}
              {status.data.lastError ? <div><dt>Last error</dt><dd className="error-text">{status.data.lastError}</dd></div> : null}
            </dl>
            {role === 'admin' ? (
              <button
                type="button"
                disabled={syncNow.isPending || status.data.state === 'not_configured'}
                onClick={() => syncNow.mutate({}, { onSuccess: (result) => setSyncError(result.ok ? null : result.error.message) })}
              >
                {syncNow.isPending ? 'Syncing…' : 'Sync now'}
              </button>
            ) : null}
            {syncError ? <p role="alert" className="error-text">{syncError}</p> : null}
          </>
        )}
      </section>
      {role === 'admin' ? (
        <>
          <section className="panel" aria-labelledby="conflicts-title">
            <h2 id="conflicts-title">Conflicts</h2>
            <ConflictList />
          </section>
          <section className="panel" aria-labelledby="sync-settings-panel">
            <h2 id="sync-settings-panel" className="visually-hidden">Sync settings</h2>
            <SyncSettingsForm />
          </section>
        </>
      ) : null}
      <section className="panel" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Notifications to Account Managers</h2>
        {notifications.isPending ? (
          <Loading what="notifications" />
        ) : notifications.isError ? (
          <ErrorState error={notifications.error} what="notifications" onRetry={() => void notifications.refetch()} />
        ) : notifications.data.length === 0 ? (
          <p className="state state-empty">No e-mail yet. One is queued each time a plan is saved, edited or deleted.</p>
        ) : (
          <ul className="notifications">
            {notifications.data.map((notification) => (
              <li key={notification.id} className="notification">
                <div className="notification-head">
                  {notification.demo ? (
                    <span className="status mail-demo" title="Demo data stays on this console">Not sent: demo data</span>
                  ) : notification.kind === 'credits_added' && notification.status === 'queued' ? (
                    // The central service sends the e-mails of the changes it takes in; top-ups do not sync yet.
                    <span className="status mail-demo">Not sent yet: top-ups are not synced</span>
                  ) : (
                    <span className={`status mail-${notification.status}`}>{notification.status}</span>
                  )}
                  <strong>{notification.subject}</strong>
                  <span>to {notification.to}</span>
                  <span className="hint">plan {notification.planId} · {formatInstant(notification.updatedAt)}</span>
                  <button
                    type="button"
                    className="link-button"
                    aria-expanded={open === notification.id}
                    aria-controls={`mail-${notification.id}`}
                    onClick={() => setOpen(open === notification.id ? null : notification.id)}
                  >
                    {open === notification.id ? 'Hide content' : 'Show content'}
                  </button>
                </div>
                {notification.error ? <p className="error-text">{notification.error}</p> : null}
                {open === notification.id ? (
                  <pre id={`mail-${notification.id}`} className="mail-text" tabIndex={0}>
                    {notification.text}
                  </pre>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
