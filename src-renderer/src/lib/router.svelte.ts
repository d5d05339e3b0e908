// Hash routes, so the back button and a reload keep the user where they were.

/** A place in the app, as its address says. */
export type Route =
  | { name: 'runs' }
  | { name: 'run'; id: number }
  | { name: 'new'; from: number | null }
  | { name: 'compare'; ids: number[] }
  | { name: 'datasets' }
  | { name: 'missing'; hash: string };

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
  if (parts[0] === 'runs' && parts.length === 1) return { name: 'runs' };
  if (parts[0] === 'runs' && parts.length === 2) {
    const id = positive(parts[1]);
    if (id) return { name: 'run', id };
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
  return { name: 'missing', hash: raw };
}

/** The address of a route, for links. */
export const href = {
  runs: () => '#/runs',
  run: (id: number) => `#/runs/${id}`,
  newRun: (from?: number) => (from ? `#/new?from=${from}` : '#/new'),
  compare: (ids: readonly number[]) => (ids.length ? `#/compare?ids=${ids.join(',')}` : '#/compare'),
  datasets: () => '#/datasets',
};

/** The current route; follows `hashchange`. */
class Router {
  hash = $state(typeof location === 'undefined' ? '' : location.hash);
  route: Route = $derived(parseHash(this.hash));
  /** The last comparison visited, so the rail's Compare entry returns to it. */
  lastCompare = $state('#/compare');

  constructor() {
    if (typeof window === 'undefined') return;
    if (!location.hash) history.replaceState(null, '', '#/runs');
    this.hash = location.hash;
    window.addEventListener('hashchange', () => {
      this.hash = location.hash;
      if (this.route.name === 'compare') this.lastCompare = this.hash;
    });
    if (this.route.name === 'compare') this.lastCompare = this.hash;
  }

  /** Goes to an address (`#/runs/3`), adding a history entry. */
  go(to: string): void {
    location.hash = to;
  }
}

export const router = new Router();
