// The first page's calls, started while the browser is still evaluating the app's code (~50 ms):
// main.ts runs this first and loads the app after. With 10,000 runs the runs table's list takes
// the server about as long again, so the two overlap instead of following each other.
import type { RunListFilter } from '../../../src-main/shared/training';
import { callEarly } from './client';
import { parseHash } from './routes';

/** How many of the newest runs a first load shows before the whole list: a screenful and more. */
export const PREVIEW = 60;

/** What the runs store (lib/runs.svelte.ts) asks listRuns: the same here, or the answer goes unused. */
export function listFilter(sweep: number | null, first?: number): RunListFilter {
  return { ...(sweep === null ? {} : { sweep }), ...(first ? { first } : {}) };
}

/** Starts what the page at `hash` will ask for first, when that is worth starting early. */
export function startEarlyCalls(hash: string): void {
  const route = parseHash(hash);
  if (route.name !== 'runs') return;
  // The first screen, then the whole list: the server answers in that order.
  callEarly('listRuns', [listFilter(route.sweep, PREVIEW)]);
  callEarly('listRuns', [listFilter(route.sweep)]);
}
