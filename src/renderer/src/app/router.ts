import { useSyncExternalStore } from 'react';

/** The console's screens, addressed in the URL fragment so Back, reload and links work. */
export type Route =
  | { name: 'environments' }
  | { name: 'spaces'; environmentId: string }
  | { name: 'space'; spaceId: string }
  | { name: 'credits'; spaceId: string }
  | { name: 'wizard'; spaceId: string; planId?: string }
  | { name: 'plan'; spaceId: string; planId: string }
  /** A plan's statement: a period's index, or the period in force now when absent. */
  | { name: 'statement'; spaceId: string; planId: string; period?: number }
  | { name: 'preview'; spaceId: string }
  | { name: 'sync' }
  | { name: 'usage'; spaceId: string }
  | { name: 'environmentUsage'; environmentId: string }
  | { name: 'notFound'; path: string };

const enc = encodeURIComponent;

export function href(route: Route): string {
  switch (route.name) {
    case 'environments':
      return '#/';
    case 'spaces':
      return `#/environments/${enc(route.environmentId)}`;
    case 'space':
      return `#/spaces/${enc(route.spaceId)}`;
    case 'credits':
      return `#/spaces/${enc(route.spaceId)}/credits`;
    case 'wizard':
      return route.planId
        ? `#/spaces/${enc(route.spaceId)}/plans/${enc(route.planId)}/edit`
        : `#/spaces/${enc(route.spaceId)}/credits/new`;
    case 'plan':
      return `#/spaces/${enc(route.spaceId)}/plans/${enc(route.planId)}`;
    case 'statement':
      return `#/spaces/${enc(route.spaceId)}/plans/${enc(route.planId)}/statement${route.period === undefined ? '' : `/${route.period}`}`;
    case 'preview':
      return `#/spaces/${enc(route.spaceId)}/preview`;
    case 'sync':
      return '#/sync';
    case 'usage':
      return `#/spaces/${enc(route.spaceId)}/usage`;
    case 'environmentUsage':
      return `#/environments/${enc(route.environmentId)}/usage`;
    case 'notFound':
      return `#${route.path}`;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  const [a, b, c, d, e, f] = parts;
  if (parts.length === 0) return { name: 'environments' };
  if (a === 'environments' && b && parts.length === 2) return { name: 'spaces', environmentId: b };
  if (a === 'environments' && b && c === 'usage' && parts.length === 3) return { name: 'environmentUsage', environmentId: b };
  if (a === 'sync' && parts.length === 1) return { name: 'sync' };
  if (a === 'spaces' && b) {
    if (parts.length === 2) return { name: 'space', spaceId: b };
    if (c === 'credits' && parts.length === 3) return { name: 'credits', spaceId: b };
    if (c === 'credits' && d === 'new' && parts.length === 4) return { name: 'wizard', spaceId: b };
    if (c === 'preview' && parts.length === 3) return { name: 'preview', spaceId: b };
    if (c === 'usage' && parts.length === 3) return { name: 'usage', spaceId: b };
    if (c === 'plans' && d && parts.length === 4) return { name: 'plan', spaceId: b, planId: d };
    if (c === 'plans' && d && e === 'edit' && parts.length === 5) return { name: 'wizard', spaceId: b, planId: d };
    if (c === 'plans' && d && e === 'statement' && parts.length === 5) return { name: 'statement', spaceId: b, planId: d };
    if (c === 'plans' && d && e === 'statement' && f && /^\d{1,6}$/.test(f) && parts.length === 6) return { name: 'statement', spaceId: b, planId: d, period: Number(f) };
  }
  return { name: 'notFound', path };
}

/**
 * Call `onChange` when the URL fragment changes. Chromium (and so Electron) fires `popstate`
 * synchronously when the fragment changes (a link, `location.hash = …`, Back), while
 * `hashchange` comes a task later — after a frame or two on a busy machine; the screen starts
 * on the first of the two and the other finds nothing new. `hashchange` stays for browsers that
 * fire only it.
 */
export function onHashChange(onChange: (hash: string) => void): () => void {
  let last = window.location.hash;
  const listener = (): void => {
    const hash = window.location.hash;
    if (hash === last) return;
    last = hash;
    onChange(hash);
  };
  window.addEventListener('popstate', listener);
  window.addEventListener('hashchange', listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener('hashchange', listener);
  };
}

function currentHash(): string {
  return window.location.hash;
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(onHashChange, currentHash);
  return parseRoute(hash);
}

export function navigate(route: Route): void {
  window.location.hash = href(route).slice(1);
}
