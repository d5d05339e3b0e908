// Hash routes, so the back button and a reload keep the user where they were.
import { FAMILIES } from '../../../src-main/shared/constants';

/** A place in the app, as its address says. */
export type Route =
  /** The runs table, filtered by a sweep when the address says so (`#/runs?sweep=3`). */
  | { name: 'runs'; sweep: number | null }
  | { name: 'run'; id: number }
  | ({ name: 'audition'; id: number } & AuditionParams)
  | { name: 'new'; from: number | null }
  | { name: 'compare'; ids: number[] }
  | { name: 'datasets' }
  | { name: 'queue' }
  | { name: 'sweeps' }
  | { name: 'sweep'; id: number }
  | { name: 'missing'; hash: string };

/** What the audition address carries: the evaluation, the list's filters and the selected note. */
export interface AuditionParams {
  split: 'test' | 'valid';
  weights: 'best' | 'last';
  /** Family indices to filter by (null = any). */
  trueFamily: number | null;
  pred: number | null;
  /** Which notes by outcome; absent = misclassified only. */
  show: 'wrong' | 'all' | 'right';
  note: string | null;
  /** List the validation notes as predicted after this epoch (a per-epoch matrix's notes), not the final evaluation. */
  epoch: number | null;
}

const family = (s: string | null): number | null =>
  s !== null && /^\d+$/.test(s) && Number(s) < FAMILIES.length ? Number(s) : null;

const positive = (s: string | null | undefined): number | null => {
  if (!s || !/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
};

/** Reads a route from a location hash such as `#/new?from=3`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/runs';
  const [path = '', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'runs' && parts.length === 1)
    return { name: 'runs', sweep: positive(params.get('sweep')) };
  if (parts[0] === 'runs' && parts.length === 2) {
    const id = positive(parts[1]);
    if (id) return { name: 'run', id };
  }
  if (parts[0] === 'runs' && parts.length === 3 && parts[2] === 'audition') {
    const id = positive(parts[1]);
    const show = params.get('show');
    if (id) {
      return {
        name: 'audition',
        id,
        // Per-epoch predictions exist for the validation split only.
        split: params.get('split') === 'valid' || positive(params.get('epoch')) ? 'valid' : 'test',
        weights: params.get('weights') === 'last' ? 'last' : 'best',
        trueFamily: family(params.get('true')),
        pred: family(params.get('pred')),
        show: show === 'all' || show === 'right' ? show : 'wrong',
        note: params.get('note') || null,
        epoch: positive(params.get('epoch')),
      };
    }
  }
  if (parts[0] === 'new' && parts.length === 1) return { name: 'new', from: positive(params.get('from')) };
  if (parts[0] === 'compare' && parts.length === 1) {
    const ids = (params.get('ids') ?? '')
      .split(',')
      .map((s) => positive(s.trim()))
      .filter((n): n is number => n !== null);
    return { name: 'compare', ids: [...new Set(ids)] };
  }
  if (parts[0] === 'datasets' && parts.length === 1) return { name: 'datasets' };
  if (parts[0] === 'queue' && parts.length === 1) return { name: 'queue' };
  if (parts[0] === 'sweeps' && parts.length === 1) return { name: 'sweeps' };
  if (parts[0] === 'sweeps' && parts.length === 2) {
    const id = positive(parts[1]);
    if (id) return { name: 'sweep', id };
  }
  return { name: 'missing', hash: raw };
}

/** The address of a route, for links. */
export const href = {
  runs: (p: { sweep?: number | null } = {}) => (p.sweep ? `#/runs?sweep=${p.sweep}` : '#/runs'),
  run: (id: number) => `#/runs/${id}`,
  audition: (id: number, p: Partial<AuditionParams> = {}) => {
    const q = new URLSearchParams();
    if (p.split && p.split !== 'test') q.set('split', p.split);
    if (p.weights && p.weights !== 'best') q.set('weights', p.weights);
    if (p.trueFamily !== null && p.trueFamily !== undefined) q.set('true', String(p.trueFamily));
    if (p.pred !== null && p.pred !== undefined) q.set('pred', String(p.pred));
    if (p.show && p.show !== 'wrong') q.set('show', p.show);
    if (p.epoch) q.set('epoch', String(p.epoch));
    if (p.note) q.set('note', p.note);
    const query = q.toString();
    return `#/runs/${id}/audition${query ? `?${query}` : ''}`;
  },
  newRun: (from?: number) => (from ? `#/new?from=${from}` : '#/new'),
  compare: (ids: readonly number[]) => (ids.length ? `#/compare?ids=${ids.join(',')}` : '#/compare'),
  datasets: () => '#/datasets',
  queue: () => '#/queue',
  sweeps: () => '#/sweeps',
  sweep: (id: number) => `#/sweeps/${id}`,
};

/** The current route; follows `hashchange`. */
class Router {
  hash = $state(typeof location === 'undefined' ? '' : location.hash);
  route: Route = $derived(parseHash(this.hash));
  /** The last comparison visited, so the rail's Compare entry returns to it. */
  lastCompare = $state('#/compare');
  /** The runs table's last address (its sweep filter), so the rail's Runs entry returns to it. */
  lastRuns = $state('#/runs');

  constructor() {
    if (typeof window === 'undefined') return;
    if (!location.hash) history.replaceState(null, '', '#/runs');
    this.hash = location.hash;
    window.addEventListener('hashchange', () => {
      this.hash = location.hash;
      this.remember();
    });
    this.remember();
  }

  private remember(): void {
    if (this.route.name === 'compare') this.lastCompare = this.hash;
    if (this.route.name === 'runs') this.lastRuns = this.hash;
  }

  /** Goes to an address (`#/runs/3`), adding a history entry. */
  go(to: string): void {
    location.hash = to;
  }

  /**
   * Rewrites the address without navigating (no history entry, no new view): for state a view
   * keeps itself, such as the audition's filters and selected note, so that a reload restores it.
   */
  replace(to: string): void {
    history.replaceState(history.state, '', to);
    // The runs table's filter lives in its address and nothing keys on it: follow it.
    if (this.route.name === 'runs' && parseHash(to).name === 'runs') {
      this.hash = to;
      this.remember();
    }
  }
}

export const router = new Router();
