import { useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { Empty, ErrorState, Loading, PageTitle } from '../../ui';

export function EnvironmentList() {
  const environments = useCommand('environments.list', {});
  const role = useRole();
  return (
    <section>
      <PageTitle>Environments</PageTitle>
      {environments.isPending ? (
        <Loading what="environments" />
      ) : environments.isError ? (
        <ErrorState error={environments.error} what="environments" onRetry={() => void environments.refetch()} />
      ) : environments.data.length === 0 ? (
        <Empty>
          <p>No environment yet. Environments and their spaces arrive when the console syncs with the central service.</p>
          <p>
            {role === 'admin'
              ? 'To bring them in, set the central service’s URL and a token in the Sync settings, save, and choose Sync now: they appear here as they arrive.'
              : 'An admin brings them in: they set the central service’s URL and a token in the Sync settings. They appear here as they arrive.'}
          </p>
          <p>
            <a href={href({ name: 'sync' })}>Open the Sync settings</a>
          </p>
        </Empty>
      ) : (
        <ul className="card-list" aria-label="Environments">
          {environments.data.map((environment) => (
            <li key={environment.id} className="card">
              <a href={href({ name: 'spaces', environmentId: environment.id })}>{environment.name}</a>
              {environment.demo ? <span className="tag">Demo data</span> : null}
              <p className="hint">{environment.spaceCount === 1 ? '1 space' : `${environment.spaceCount} spaces`}</p>
              {environment.spacesWithUncoveredChannels > 0 ? (
                <p className="flag flag-warning card-flag">
                  {environment.spacesWithUncoveredChannels === 1 ? '1 space has' : `${environment.spacesWithUncoveredChannels} spaces have`} channels not covered by any credit
                  plan
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
