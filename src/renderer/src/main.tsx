import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '../../shared/api';
import { ApiProvider, pickTransport } from './api';
import { App } from './app';
import './styles.css';

// Pick the transport first: on the web it takes the secret out of the URL before routing reads it.
const { transport } = pickTransport();
const api = createClient(transport);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
