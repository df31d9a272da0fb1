import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './router';

describe('routes in the URL fragment', () => {
  const routes: Route[] = [
    { name: 'environments' },
    { name: 'spaces', environmentId: 'env 1' },
    { name: 'space', spaceId: 's/1' },
    { name: 'credits', spaceId: 's1' },
    { name: 'wizard', spaceId: 's1' },
    { name: 'wizard', spaceId: 's1', planId: 'p1' },
    { name: 'plan', spaceId: 's1', planId: 'p1' },
    { name: 'statement', spaceId: 's1', planId: 'p1' },
    { name: 'statement', spaceId: 's1', planId: 'p 1', period: 12 },
    { name: 'preview', spaceId: 's1' },
    { name: 'sync' },
    { name: 'usage', spaceId: 's/1' },
    { name: 'environmentUsage', environmentId: 'env 1' },
  ];
  it('round-trips every screen', () => {
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
  });
  it('names an unknown address', () => {
    expect(parseRoute('#/nowhere')).toEqual({ name: 'notFound', path: '/nowhere' });
    expect(parseRoute('#/spaces/s1/plans/p1/statement/x')).toEqual({ name: 'notFound', path: '/spaces/s1/plans/p1/statement/x' });
  });
});
