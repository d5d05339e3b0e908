// Hash routes, so the back button and a reload keep the user where they were.
import { startEarlyCalls } from './early';
import { parseHash, type Route } from './routes';

export * from './routes';

/** The current route; follows `hashchange`. */
class Router {
  hash = $state(typeof location === 'undefined' ? '' : location.hash);
  route: Route = $derived(parseHash(this.hash));
  /** The last comparison (of runs or of groups) visited, so the rail's Compare entry returns to it. */
  lastCompare = $state('#/compare');
  /** The runs table's last address (its sweep filter), so the rail's Runs entry returns to it. */
  lastRuns = $state('#/runs');

  constructor() {
    if (typeof window === 'undefined') return;
    if (!location.hash) history.replaceState(null, '', '#/runs');
    this.hash = location.hash;
    window.addEventListener('hashchange', () => {
      // A comparison's data is asked for now, before its view has loaded and mounted.
      startEarlyCalls(location.hash, true);
      this.hash = location.hash;
      this.remember();
    });
    this.remember();
  }

  private remember(): void {
    if (this.route.name === 'compare' || this.route.name === 'groups') this.lastCompare = this.hash;
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
    // The groups view keys on its address (like the audition) but the rail's Compare returns to its latest state.
    if (this.route.name === 'groups' && parseHash(to).name === 'groups') this.lastCompare = to;
  }
}

export const router = new Router();
