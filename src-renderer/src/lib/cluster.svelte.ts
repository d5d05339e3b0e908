// Cluster mode's workers as the hub knows them (docs/cluster.md), asked every few seconds while
// the app runs a cluster (`timbre serve --redis URL`); nothing is asked again once it says it runs none.
import type { ClusterWorkerInfo } from '../../../src-main/shared/contract';
import { api } from './client';

const POLL_MS = 5000;

/** "4 s ago", "2 min ago": how long since the hub last heard from a worker. */
export function heardAgo(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A worker's state as a word a person reads. */
export const STATE_TEXT: Record<ClusterWorkerInfo['state'], string> = {
  alive: 'alive',
  silent: 'not heard from',
  left: 'left',
};

class ClusterStore {
  /** The workers, alive first; null when this workbench runs no cluster (or before the first answer). */
  workers = $state.raw<ClusterWorkerInfo[] | null>(null);
  /** When the list was last asked for (relative times are drawn against it). */
  now = $state(Date.now());
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;

  /** Asks now and every few seconds while there is a cluster; again when the connection comes back. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.subscribe((event) => {
      if (event.type === 'connection' && event.state === 'restored') void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    let again = true;
    try {
      this.workers = await api.clusterWorkers();
      this.now = Date.now();
      again = this.workers !== null;
    } catch {
      // The server is away: the strip says so already; ask again later.
    }
    if (again) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }
}

export const cluster = new ClusterStore();
