// The first page's calls, started while the browser is still evaluating the app's code (~50 ms):
// main.ts runs this first and loads the app after. With 10,000 runs the runs table's list takes
// the server about as long again, so the two overlap instead of following each other. A
// comparison's call also goes out as the address changes in the app (router.svelte.ts), before
// its view is loaded and mounted.
import {
  MAX_GROUPED_RUNS,
  type GroupBy,
  type GroupMetric,
  type GroupRequest,
  type RunSelection,
} from '../../../src-main/shared/group-compare';
import type { RunListFilter } from '../../../src-main/shared/training';
import { callEarly } from './client';
import { parseHash } from './routes';

/** How many runs the compare view compares at once. */
export const COMPARED_MIN = 2;
export const COMPARED_MAX = 10;

/** How many of the newest runs a first load shows before the whole list: a screenful and more. */
export const PREVIEW = 60;

/** What the runs store (lib/runs.svelte.ts) asks listRuns: the same here, or the answer goes unused. */
export function listFilter(sweep: number | null, first?: number): RunListFilter {
  return { ...(sweep === null ? {} : { sweep }), ...(first ? { first } : {}) };
}

/** What the groups view asks compareGroups: the same here, or the answer goes unused. */
export function groupRequest(
  select: RunSelection,
  groupBy: GroupBy,
  metric: GroupMetric,
  test: 'welch' | 'bootstrap',
): GroupRequest {
  return { select, groupBy, metric, test };
}

/**
 * Starts what the page at `hash` will ask for first, when that is worth starting early: on the
 * app's first load (`navigation` false) or as the address changes in it (then only comparisons:
 * the runs table has its list already).
 */
export function startEarlyCalls(hash: string, navigation = false): void {
  const route = parseHash(hash);
  if (route.name === 'runs' && !navigation) {
    // The first screen, then the whole list: the server answers in that order.
    callEarly('listRuns', [listFilter(route.sweep, PREVIEW)]);
    callEarly('listRuns', [listFilter(route.sweep)]);
  } else if (route.name === 'compare') {
    if (route.ids.length >= COMPARED_MIN && route.ids.length <= COMPARED_MAX)
      callEarly('getRuns', [route.ids]);
  } else if (route.name === 'groups') {
    const { select, by, metric, test } = route;
    if (select && !('runs' in select && select.runs.length > MAX_GROUPED_RUNS))
      callEarly('compareGroups', [groupRequest(select, by, metric, test)]);
  }
}
