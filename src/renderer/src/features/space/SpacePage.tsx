import { useCommand, useRole } from '../../api';
import { href } from '../../app/router';
import { ErrorState, formatInstant, Loading, PageTitle } from '../../ui';
import { AddChannel } from './AddChannel';
import { SpaceHeader } from './SpaceHeader';

export function SpacePage({ spaceId }: { spaceId: string }) {
  const space = useCommand('spaces.get', { spaceId });
  const role = useRole();
  if (space.isPending) return <><PageTitle>Space</PageTitle><Loading what="the space" /></>;
  if (space.isError) return <><PageTitle>Space</PageTitle><ErrorState error={space.error} what="the space" onRetry={() => void space.refetch()} /></>;
  const data = space.data;
  const uncovered = new Set(data.uncoveredChannels);
  return (
    <section>
      <SpaceHeader space={data} tab="channels" title={data.name} />
      <dl className="facts">
        <div><dt>Environment</dt><dd>{data.environmentName}</dd></div>
        <div><dt>Account Manager</dt><dd>{data.accountManager.name} &lt;{data.accountManager.email}&gt;</dd></div>
        <div><dt>Live credit plans</dt><dd>{data.livePlanCount}</dd></div>
      </dl>
      <h2>Channels</h2>
      {data.channels.length === 0 ? (
        <p className="state state-empty">This space has no delivery channel yet.</p>
      ) : (
        <table className="data-table" aria-label="Channels">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Bidirectional</th>
              <th scope="col">Added</th>
              <th scope="col">Credit plan coverage</th>
            </tr>
          </thead>
          <tbody>
            {data.channels.map((channel) => (
              <tr key={channel.channel}>
                <th scope="row">{channel.channel}</th>
                <td>{channel.bidirectional ? 'Yes (MO - MT)' : 'No (MT)'}</td>
                <td>{formatInstant(channel.addedAt)}</td>
                <td>
                  {uncovered.has(channel.channel) ? (
                    <span className="flag flag-warning" data-testid={`uncovered-${channel.channel}`}>
                      Not covered by any credit plan
                    </span>
                  ) : (
                    <span className="flag flag-ok">Covered</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.uncoveredChannels.length > 0 ? (
        <p className="hint">
          Traffic on a channel not covered by any credit plan is not limited.{' '}
          <a href={href({ name: 'credits', spaceId: data.id })}>Configure credits</a>
        </p>
      ) : null}
      {role === 'admin' ? (
        <>
          <h2>Add channel</h2>
          <AddChannel space={data} />
        </>
      ) : null}
    </section>
  );
}
