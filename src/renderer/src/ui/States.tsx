import { useEffect, useRef, type ReactNode } from 'react';
import { apiErrorOf } from '../api';
import { afterNextPaint } from './paint';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const apiError = apiErrorOf(error);
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {apiError.message}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/**
 * A screen's heading; it takes focus when the screen opens so keyboard users start there.
 * Once the screen has been painted, not as it mounts: focus() makes the browser compute the
 * styles and layout of the whole new screen there and then (tens of ms for the Credits tab with
 * a history page), ahead of the frame that would compute them anyway. And a heading shown only
 * while a screen loads (gone a few ms later) never takes it, so removing it costs nothing either.
 */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => afterNextPaint(() => ref.current?.focus()), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export interface Crumb {
  label: string;
  href?: string;
}

export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {items.map((item, index) => (
          <li key={`${index}-${item.label}`}>
            {item.href && index < items.length - 1 ? (
              <a href={item.href}>{item.label}</a>
            ) : (
              <span aria-current={index === items.length - 1 ? 'page' : undefined}>{item.label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
