import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api';
import { App } from './app/app';
import { createQueryClient } from './app/query-client';
import { connectSocketIo } from './realtime';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App api={new ApiClient()} queryClient={createQueryClient()} connectRealtime={connectSocketIo} />
  </StrictMode>,
);
