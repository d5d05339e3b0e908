import { reportHtml } from '../html';
import { groupHtml } from '../groups/html';
import { sweepHtml } from '../sweep/html';
import { defineReportFormat } from '../types';

/** One self-contained HTML page, with the clips of the most frequent confusions embedded. */
export const htmlFormat = defineReportFormat({
  id: 'html',
  label: 'HTML',
  extensions: ['.html', '.htm'],
  mime: 'text/html',
  description:
    'one self-contained page (opens offline): summary, hyperparameters with differences marked, ' +
    'loss/accuracy curves, confusion matrices, per-family precision/recall/F1 and the most frequent ' +
    'confusions with playable example notes',
  audio: true,
  render: (data, { out }) => [{ path: out, content: reportHtml(data) }],
  sweep: (data, { out }) => [{ path: out, content: sweepHtml(data) }],
  groups: (data, { out }) => [{ path: out, content: groupHtml(data) }],
});
