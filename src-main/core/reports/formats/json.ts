import { reportJson } from '../json';
import { groupJson } from '../groups/json';
import { sweepJson } from '../sweep/json';
import { defineReportFormat } from '../types';

/** Everything the runs recorded, with every note's predictions, as one JSON document. */
export const jsonFormat = defineReportFormat({
  id: 'json',
  label: 'JSON',
  extensions: ['.json'],
  mime: 'application/json',
  description: "everything recorded, with every note's predictions",
  render: (data, { out }) => [{ path: out, content: reportJson(data) }],
  sweep: (data, { out }) => [{ path: out, content: sweepJson(data) }],
  groups: (data, { out }) => [{ path: out, content: groupJson(data) }],
});
