import type { Space } from '../../../../shared/api';
import { useRole } from '../../api';
import { href } from '../../app/router';
import { Breadcrumbs, PageTitle, type Crumb } from '../../ui';

export type SpaceTab = 'channels' | 'credits' | 'usage';

/** The breadcrumbs, title and tabs every screen of a space starts with. */
export function SpaceHeader({ space, tab, title, extraCrumbs = [] }: { space: Space; tab: SpaceTab | null; title: string; extraCrumbs?: Crumb[] }) {
  // Usage analytics are for admins and support staff (the main process enforces the same).
  const role = useRole();
  const crumbs: Crumb[] = [
    { label: 'Environments', href: href({ name: 'environments' }) },
    { label: space.environmentName, href: href({ name: 'spaces', environmentId: space.environmentId }) },
    { label: space.name, href: href({ name: 'space', spaceId: space.id }) },
    ...(tab === 'credits' || extraCrumbs.length > 0 ? [{ label: 'Space Config → Credits', href: href({ name: 'credits', spaceId: space.id }) }] : []),
    ...extraCrumbs,
  ];
  return (
    <>
      <Breadcrumbs items={crumbs} />
      <PageTitle>{title}</PageTitle>
      {tab ? (
        <nav className="tabs" aria-label="Space sections">
          <a href={href({ name: 'space', spaceId: space.id })} aria-current={tab === 'channels' ? 'page' : undefined}>
            Channels
          </a>
          <a href={href({ name: 'credits', spaceId: space.id })} aria-current={tab === 'credits' ? 'page' : undefined}>
            Space Config → Credits
          </a>
          {role === 'admin' || role === 'support' ? (
            <a href={href({ name: 'usage', spaceId: space.id })} aria-current={tab === 'usage' ? 'page' : undefined}>
              Usage
            </a>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
