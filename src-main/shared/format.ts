// How numbers, durations and times read, the same in the UI, the reports and the CLI (UI.md):
// accuracy as a percent with one decimal and a space before the sign ("64.8 %"), durations as a
// person says them ("3 min 12 s"), times relative ("5 min ago") with the exact one beside or on
// hover, and "–" wherever a value is unknown or not there yet.
import type { RunSummary } from './training';

/** What a table shows for a value that is unknown or not there yet. */
export const UNKNOWN = '–';

const known = (x: number | null | undefined): x is number =>
  x !== null && x !== undefined && Number.isFinite(x);

/** A share (0.648) as a percent with `digits` decimals ("64.8 %"), or "–". */
export function pct(x: number | null | undefined, digits = 1): string {
  return known(x) ? `${(x * 100).toFixed(digits)} %` : UNKNOWN;
}

/** A loss or other real with fixed decimals ("0.1234"), or "–". */
export function fixed(x: number | null | undefined, digits = 4): string {
  return known(x) ? x.toFixed(digits) : UNKNOWN;
}

/** Seconds with at most two decimals and no trailing zeros: 0.5, 1, 1.25. */
export function secondsText(s: number): string {
  return String(Math.round(s * 100) / 100);
}

/** Seconds as a person says them: "4.2 s", "42 s", "3 min 12 s", "1 h 5 min", or "–". */
export function humanDuration(seconds: number | null | undefined): string {
  if (!known(seconds)) return UNKNOWN;
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)} s`;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  return `${Math.floor(total / 3600)} h ${Math.floor((total % 3600) / 60)} min`;
}

/**
 * How long ago an ISO time was: "just now", "5 min ago", "3 h ago", "1 day ago", "12 days ago";
 * its date when more than 30 days ago; "–" without a time.
 */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return UNKNOWN;
  const s = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(s)) return iso;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86400);
  if (days <= 30) return `${days} day${days === 1 ? '' : 's'} ago`;
  return iso.slice(0, 10);
}

const two = (n: number) => String(n).padStart(2, '0');

/** An ISO time exactly, in local time ("2024-05-10 13:59:50"), for hovers and details; "" without one. */
export function exactTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** An ISO time exactly, in UTC ("2024-05-10 11:59:50"), for reports read elsewhere; "–" without one. */
export function utcTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : UNKNOWN;
}

/** Seconds between two ISO times, the end defaulting to now; null without a start. */
export function elapsedSeconds(start: string | null, end: string | null, now = Date.now()): number | null {
  if (!start) return null;
  const s = ((end ? Date.parse(end) : now) - Date.parse(start)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : null;
}

/** Seconds a run took, or has taken so far while running; null when it never started or has no end. */
export function runSeconds(
  run: Pick<RunSummary, 'startedAt' | 'finishedAt' | 'status'>,
  now = Date.now(),
): number | null {
  if (!run.finishedAt && run.status !== 'running') return null;
  return elapsedSeconds(run.startedAt, run.finishedAt, now);
}
