// chart.js with only what the workbench's line charts use (tree-shaken), animations off.
import {
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  Ticks,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend);
Chart.defaults.animation = false;
Chart.defaults.font.size = 11;

export { Chart, Ticks };

/** Colours of axes, grid and text, read from the page's theme (CSS variables) with fallbacks. */
export function chartTheme(el: Element): { text: string; grid: string; font: string } {
  const css = getComputedStyle(el);
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--chart-text', dark ? '#a8adb5' : '#5c6370'),
    grid: v('--chart-grid', dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)'),
    font: css.fontFamily,
  };
}
