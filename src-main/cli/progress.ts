import type { WorkbenchApi } from '../shared/contract';
import { humanDuration } from '../shared/format';
import type { Progress } from '../shared/types';

/**
 * A progress bar on stderr with rate and ETA. On a terminal it redraws one line; elsewhere
 * (CI, pipes) it prints a line every 10 % so logs stay short.
 */
export class ProgressBar {
  private start = Date.now();
  private phase = '';
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /**
   * Shows one progress report. `detail` replaces the computed rate and ETA with the caller's own
   * (the trainer knows its loss, samples/s and remaining epochs better than a count does).
   */
  update(p: Progress, detail?: string): void {
    if (p.phase !== this.phase) {
      this.finish();
      this.phase = p.phase;
      this.start = Date.now();
      this.lastDecile = -1;
    }
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = elapsed > 0 ? p.done / elapsed : 0;
    const eta = rate > 0 && p.total > 0 ? (p.total - p.done) / rate : NaN;
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    // A total of 0 means "not known yet" (e.g. while a file is still being read).
    const text = detail
      ? `${p.phase.padEnd(14)} ${p.done}/${p.total}  ${detail}`
      : p.total > 0
        ? `${p.phase.padEnd(14)} ${p.done}/${p.total} ${(frac * 100).toFixed(0).padStart(3)}%  ` +
          `${rate.toFixed(1)} ${this.unit}/s  ETA ${humanDuration(eta)}`
        : `${p.phase.padEnd(14)} ${p.done} ${this.unit}  ${rate.toFixed(1)} ${this.unit}/s`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
      this.drawn = true;
    } else {
      const decile = Math.floor(frac * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${text}\n`);
      }
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

/**
 * Shows a workbench's progress events as a bar on stderr, and its log lines between bars,
 * until the returned function is called.
 */
export function watchProgress(wb: Pick<WorkbenchApi, 'subscribe'>, unit = 'notes'): () => void {
  const bar = new ProgressBar(unit);
  const stop = wb.subscribe((e) => {
    if (e.type === 'progress') bar.update(e.progress);
    else if (e.type === 'log') {
      bar.finish();
      process.stderr.write(`${e.message}\n`);
    }
  });
  return () => {
    stop();
    bar.finish();
  };
}
