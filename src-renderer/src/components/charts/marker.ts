import type { Plugin } from 'chart.js';

/**
 * A dashed vertical line at an x value (the best epoch), read at draw time so that moving it
 * needs only `chart.update('none')`.
 */
export function markerPlugin(x: () => number | null, color: () => string): Plugin<'line'> {
  return {
    id: 'marker',
    afterDatasetsDraw(chart) {
      const at = x();
      if (at === null) return;
      const px = chart.scales.x!.getPixelForValue(at);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = color();
      ctx.globalAlpha = 0.5;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      ctx.restore();
    },
  };
}
