import { createRoot } from 'react-dom/client';
import { getApi } from './bridge/index.ts';
import { App } from './shell/App.tsx';
import './styles.css';

// Connect first: in a browser this also takes the token out of the address bar before anything renders.
getApi();

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(<App />);
