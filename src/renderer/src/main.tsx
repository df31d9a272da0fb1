// First: starts the first reads before the rest of the page's script is evaluated (boot.ts).
import { api, firstReads, queryClient } from './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api';
import { App } from './app';
import { prepareInstantFormat } from './ui';
import './styles.css';

/**
 * How long the first render waits for the first reads at most. They usually answer while the
 * script is still evaluated or within a few ms after it; rendering once with them costs one
 * render and one frame less than rendering the loading states and then the data (~35 ms here).
 * Meanwhile the page says "Loading the console…"; past this (a host that does not answer),
 * the screens render and show their own loading or error states.
 */
const FIRST_RENDER_WAIT_MS = 1_000;

// The history's date format is built when the browser first has nothing to do (often while a
// screen waits for its answers), not while the first history page renders.
window.requestIdleCallback(prepareInstantFormat);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const render = (): void =>
  createRoot(root).render(
    <StrictMode>
      <ApiProvider api={api} client={queryClient}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
void Promise.race([firstReads, new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]).then(render);
