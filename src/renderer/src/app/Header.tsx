import { useCommand } from '../api';
import { ROLE_LABEL } from '../ui';
import { href } from './router';

export function Header() {
  const whoami = useCommand('session.whoami', {});
  const sync = useCommand('sync.status', {});
  return (
    <header className="app-header">
      <a className="brand" href={href({ name: 'environments' })}>
        Credit Plan Console
      </a>
      <nav aria-label="Main">
        <a href={href({ name: 'environments' })}>Environments</a>
        <a href={href({ name: 'sync' })}>
          Sync &amp; notifications
          {sync.data && sync.data.pendingChanges > 0 ? (
            <span className="badge" aria-label={`${sync.data.pendingChanges} pending changes`}>
              {sync.data.pendingChanges}
            </span>
          ) : null}
        </a>
      </nav>
      <div className="whoami" aria-live="polite">
        {whoami.isPending ? (
          'Signing in…'
        ) : whoami.isError ? (
          <span className="error-text">Not connected</span>
        ) : (
          <>
            <span className="actor">{whoami.data.actor}</span>
            <span className={`role role-${whoami.data.role}`} data-testid="role">
              {ROLE_LABEL[whoami.data.role]}
            </span>
          </>
        )}
      </div>
    </header>
  );
}
