// A run's status badge as markup: StatusBadge.svelte renders it, and so do the runs table's rows
// (lib/runs-row.ts), which are markup. Its style is app.css's `.status-badge`.
import { escapeHtml as esc } from '../../../src-main/shared/html';
import type { RunStatus } from '../../../src-main/shared/training';

/**
 * The badge of `status`: its colour pair from the theme (--st-<status>, --st-<status>-bg), and its
 * word, or `label` (a sweep's state borrows a run status's colours and says its own word).
 */
export function statusBadgeHtml(status: RunStatus, label?: string): string {
  const s = esc(status);
  return `<span class="status-badge ${s}" data-status="${s}" style="--c:var(--st-${s});--b:var(--st-${s}-bg)">${esc(label ?? status)}</span>`;
}
