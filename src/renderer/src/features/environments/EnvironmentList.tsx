import { useCommand } from '../../api';
import { href } from '../../app/router';
import { Empty, ErrorState, Loading, PageTitle } from '../../ui';

export function EnvironmentList() {
  const environments = useCommand('environments.list', {});
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
