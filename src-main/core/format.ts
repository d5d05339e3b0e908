import type { RunSummary } from '../shared/training';

/** A share as a percent with one decimal, or "-". */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`;
}

/** A number with fixed decimals, or "-". */
export function fixed(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}

/** Seconds as a person says them: "4.2 s", "3 min 12 s", "1 h 5 min". */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  return `${Math.floor(total / 3600)} h ${Math.floor((total % 3600) / 60)} min`;
}

/** How long ago an ISO time was ("5 min ago"); its date when more than a week ago. */
export function relativeTime(iso: string, now = Date.now()): string {
  const s = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(s)) return iso;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} day${Math.round(s / 86400) === 1 ? '' : 's'} ago`;
  return iso.slice(0, 10);
}

/** Seconds from start to finish (or to now while running); null when it never started or has no end. */
export function runSeconds(run: RunSummary, now = Date.now()): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'running' ? now : NaN;
  const s = (end - Date.parse(run.startedAt)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : null;
}
