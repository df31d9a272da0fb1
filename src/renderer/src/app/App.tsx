import { lazy, Suspense, useRef } from 'react';
import { EnvironmentList, SpaceList } from '../features/environments';
import { CreditsTab } from '../features/overview';
import { SpacePage } from '../features/space';
import { Loading, PageTitle } from '../ui';
import { Header } from './Header';
import { href, useRoute, type Route } from './router';

// Screens with charts or the wizard's zone list load on first use, so the console opens on less script.
const PlanDetails = lazy(() => import('../features/details').then((room) => ({ default: room.PlanDetails })));
const PlanStatement = lazy(() => import('../features/statement').then((room) => ({ default: room.PlanStatement })));
const DraftPreview = lazy(() => import('../features/preview').then((room) => ({ default: room.DraftPreview })));
const UsagePage = lazy(() => import('../features/usage').then((room) => ({ default: room.UsagePage })));
const SyncPanel = lazy(() => import('../features/sync').then((room) => ({ default: room.SyncPanel })));
const CreditPlanWizard = lazy(() => import('../features/wizard').then((room) => ({ default: room.CreditPlanWizard })));

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'environments':
      return <EnvironmentList />;
    case 'spaces':
      return <SpaceList environmentId={route.environmentId} />;
    case 'space':
      return <SpacePage spaceId={route.spaceId} />;
    case 'credits':
      return <CreditsTab spaceId={route.spaceId} />;
    case 'wizard':
      return <CreditPlanWizard key={`${route.spaceId}:${route.planId ?? 'new'}`} spaceId={route.spaceId} planId={route.planId} />;
    case 'plan':
      return <PlanDetails spaceId={route.spaceId} planId={route.planId} />;
    case 'statement':
      return <PlanStatement spaceId={route.spaceId} planId={route.planId} period={route.period} />;
    case 'preview':
      return <DraftPreview spaceId={route.spaceId} />;
    case 'sync':
      return <SyncPanel />;
    case 'usage':
      return <UsagePage key={`space:${route.spaceId}`} scope={{ kind: 'space', spaceId: route.spaceId }} />;
    case 'environmentUsage':
      return <UsagePage key={`env:${route.environmentId}`} scope={{ kind: 'environment', environmentId: route.environmentId }} />;
    case 'notFound':
      return (
        <section>
          <PageTitle>Page not found</PageTitle>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href={href({ name: 'environments' })}>Go to the environments</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);

  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); mainRef.current?.focus(); }}>
        Skip to content
      </a>
      <Header />
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<Loading what="the screen" />}>
          <Screen route={route} />
        </Suspense>
      </main>
    </>
  );
}
