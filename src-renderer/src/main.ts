import './app.css';
import { startEarlyCalls } from './lib/early';

// The first page's slowest call goes out before the app's code is evaluated (lib/early.ts); the
// app itself is a chunk of its own, loaded right after.
startEarlyCalls(location.hash);
const target = document.getElementById('app')!;
import('./app').then(
  ({ start }) => start(target),
  (err: unknown) => {
    // Without its code the app cannot show its own error banner: say it in plain text.
    target.textContent = `Timbre Workbench could not be loaded (${err instanceof Error ? err.message : String(err)}). Is the workbench still running? Reload to try again.`;
    target.setAttribute('role', 'alert');
  },
);
