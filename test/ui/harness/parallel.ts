// Test-only page: mounts the sweep components with synthetic runs and lets the test drive them
// through `window.harness` (render n runs and time it, see which run was opened or filtered).
import { Chart } from 'chart.js';
import { flushSync, mount, unmount } from 'svelte';
import type { GroupPoint } from '../../../src-main/shared/group-compare';
import '../../../src-renderer/src/app.css';
import Harness from './Harness.svelte';
import { syntheticRuns } from './data';

/** What the test reads and calls on the page. */
export interface HarnessApi {
  /**
   * Mounts the components (or the parallel coordinates alone) with `n` synthetic runs: the time
   * until the lines are drawn, of the canvas drawing alone, and until the next frame (ms).
   */
  render: (n: number, only?: boolean) => Promise<{ mountMs: number; drawMs: number; frameMs: number }>;
  opened: number[];
  scatterOpened: number[];
  filtered: number[] | null;
  filterCalls: number;
  /** Where a run's point of the scatter is, in page coordinates. */
  scatterPoint: (id: number) => { x: number; y: number } | null;
}

declare global {
  interface Window {
    harness: HarnessApi;
  }
}

const target = document.getElementById('app')!;
let app: ReturnType<typeof mount> | null = null;

const api: HarnessApi = {
  opened: [],
  scatterOpened: [],
  filtered: null,
  filterCalls: 0,
  async render(n, only = false) {
    if (app) unmount(app);
    api.opened = [];
    api.scatterOpened = [];
    api.filtered = null;
    const points: GroupPoint[] = syntheticRuns(n);
    const t0 = performance.now();
    app = mount(Harness, {
      target,
      props: {
        points,
        only,
        onopen: (id: number) => api.opened.push(id),
        onscatter: (id: number) => api.scatterOpened.push(id),
        onfilter: (ids: number[] | null) => {
          api.filtered = ids;
          api.filterCalls++;
        },
      },
    });
    flushSync();
    // The plot is drawn once its width is known (a ResizeObserver reports it before the next frame).
    const canvas = target.querySelector<HTMLCanvasElement>('[data-testid="parallel-canvas"]')!;
    while (!canvas.dataset.draws) await new Promise((r) => requestAnimationFrame(r));
    const mountMs = performance.now() - t0;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return { mountMs, drawMs: Number(canvas.dataset.drawMs), frameMs: performance.now() - t0 };
  },
  scatterPoint(id) {
    const canvas = target.querySelector<HTMLCanvasElement>('[data-testid="scatter-plot"] canvas')!;
    const chart = Chart.getChart(canvas);
    if (!chart) return null;
    const box = canvas.getBoundingClientRect();
    for (let d = 0; d < chart.data.datasets.length; d++) {
      const data = chart.data.datasets[d]!.data as unknown as { id: number }[];
      const i = data.findIndex((p) => p.id === id);
      if (i < 0) continue;
      const el = chart.getDatasetMeta(d).data[i]!;
      return { x: box.left + el.x, y: box.top + el.y };
    }
    return null;
  },
};
window.harness = api;
