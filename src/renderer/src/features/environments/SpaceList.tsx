import { useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { Breadcrumbs, Empty, ErrorState, Loading, PageTitle } from '../../ui';

export function SpaceList({ environmentId }: { environmentId: string }) {
  const spaces = useCommand('spaces.list', { environmentId });
  const environments = useCommand('environments.list', {});
  const environment = environments.data?.find((candidate) => candidate.id === environmentId);
  const name = environment?.name ?? spaces.data?.[0]?.environmentName ?? environmentId;
  const role = useRole();
  return (
    <section>
      <Breadcrumbs items={[{ label: 'Environments', href: href({ name: 'environments' }) }, { label: name }]} />
      <PageTitle>Spaces of {name}</PageTitle>
      {role === 'admin' || role === 'support' ? (
        <p className="actions">
          <a href={href({ name: 'environmentUsage', environmentId })}>Usage of this environment</a>
        </p>
      ) : null}
      {spaces.isPending ? (
        <Loading what="spaces" />
      ) : spaces.isError ? (
        <ErrorState error={spaces.error} what="spaces" onRetry={() => void spaces.refetch()} />
      ) : spaces.data.length === 0 ? (
        <Empty>
          <p>This environment has no space yet.</p>
        </Empty>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Spaces of {name}</caption>
          <thead>
            <tr>
              <th scope="col">Space</th>
              <th scope="col">Channels</th>
              <th scope="col">Credit plans</th>
              <th scope="col">Not covered by any credit plan</th>
              <th scope="col">Account Manager</th>
            </tr>
          </thead>
          <tbody>
            {spaces.data.map((space) => (
              <tr key={space.id}>
                <th scope="row">
                  <a href={href({ name: 'space', spaceId: space.id })}>{space.name}</a>
                  {space.demo ? <span className="tag">Demo data</span> : null}
                </th>
                <td>{space.channels.map((channel) => channel.channel).join(', ') || '—'}</td>
                <td>{space.livePlanCount}</td>
                <td>{space.uncoveredChannels.length > 0 ? space.uncoveredChannels.join(', ') : 'None'}</td>
                <td>{space.accountManager.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
