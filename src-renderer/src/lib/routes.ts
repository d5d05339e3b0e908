// The app's addresses (hash routes): what each says and how to write one. Plain functions, no
// reactive state, so that main.ts can read the first route before the app's code has loaded.
import { FAMILIES } from '../../../src-main/shared/constants';
import {
  GROUP_METRICS,
  type GroupBy,
  type GroupMetric,
  type RunSelection,
} from '../../../src-main/shared/group-compare';

/** A place in the app, as its address says. */
export type Route =
  /** The runs table, filtered by a sweep when the address says so (`#/runs?sweep=3`). */
  | { name: 'runs'; sweep: number | null }
  | { name: 'run'; id: number }
  | ({ name: 'audition'; id: number } & AuditionParams)
  | { name: 'new'; from: number | null }
  | { name: 'compare'; ids: number[] }
  | ({ name: 'groups' } & GroupsParams)
  | { name: 'datasets' }
  | { name: 'queue' }
  | { name: 'sweeps' }
  | { name: 'sweep'; id: number }
  | { name: 'missing'; hash: string };

/** What the audition address carries: the evaluation, the list's filters and the selected note. */
export interface AuditionParams {
  split: 'test' | 'valid';
  weights: 'best' | 'last';
  /** Family indices to filter by (null = any). */
  trueFamily: number | null;
  pred: number | null;
  /** Which notes by outcome; absent = misclassified only. */
  show: 'wrong' | 'all' | 'right';
  note: string | null;
  /** List the validation notes as predicted after this epoch (a per-epoch matrix's notes), not the final evaluation. */
  epoch: number | null;
}

/** What the groups address carries: which runs, how they are grouped, the metric and the test. */
export interface GroupsParams {
  /** The runs (`ids=3,4,7`) or a sweep's (`sweep=2`); null when the address names neither. */
  select: RunSelection | null;
  /** `by=configuration`, `by=sweep` or settings (`by=model.type,lr`); configuration when absent. */
  by: GroupBy;
  metric: GroupMetric;
  test: 'welch' | 'bootstrap';
}

const ids = (s: string | null): number[] => [
  ...new Set(
    (s ?? '')
      .split(',')
      .map((x) => positive(x.trim()))
      .filter((n): n is number => n !== null),
  ),
];

function groupsParams(params: URLSearchParams): GroupsParams {
  const sweep = positive(params.get('sweep'));
  const runs = ids(params.get('ids'));
  const by = params.get('by') ?? '';
  const keys = by
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const metric = params.get('metric') ?? '';
  return {
    select: runs.length ? { runs } : sweep ? { sweep } : null,
    by: by === 'sweep' ? 'sweep' : by === 'configuration' || !keys.length ? 'configuration' : keys,
    metric: metric in GROUP_METRICS ? (metric as GroupMetric) : 'testAccuracy',
    test: params.get('test') === 'bootstrap' ? 'bootstrap' : 'welch',
  };
}

const family = (s: string | null): number | null =>
  s !== null && /^\d+$/.test(s) && Number(s) < FAMILIES.length ? Number(s) : null;

const positive = (s: string | null | undefined): number | null => {
  if (!s || !/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
};

/** Reads a route from a location hash such as `#/new?from=3`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/runs';
  const [path = '', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'runs' && parts.length === 1)
    return { name: 'runs', sweep: positive(params.get('sweep')) };
  if (parts[0] === 'runs' && parts.length === 2) {
    const id = positive(parts[1]);
    if (id) return { name: 'run', id };
  }
  if (parts[0] === 'runs' && parts.length === 3 && parts[2] === 'audition') {
    const id = positive(parts[1]);
    const show = params.get('show');
    if (id) {
      return {
        name: 'audition',
        id,
        // Per-epoch predictions exist for the validation split only.
        split: params.get('split') === 'valid' || positive(params.get('epoch')) ? 'valid' : 'test',
        weights: params.get('weights') === 'last' ? 'last' : 'best',
        trueFamily: family(params.get('true')),
        pred: family(params.get('pred')),
        show: show === 'all' || show === 'right' ? show : 'wrong',
        note: params.get('note') || null,
        epoch: positive(params.get('epoch')),
      };
    }
  }
  if (parts[0] === 'new' && parts.length === 1) return { name: 'new', from: positive(params.get('from')) };
  if (parts[0] === 'compare' && parts.length === 1) return { name: 'compare', ids: ids(params.get('ids')) };
  if (parts[0] === 'groups' && parts.length === 1) return { name: 'groups', ...groupsParams(params) };
  if (parts[0] === 'datasets' && parts.length === 1) return { name: 'datasets' };
  if (parts[0] === 'queue' && parts.length === 1) return { name: 'queue' };
  if (parts[0] === 'sweeps' && parts.length === 1) return { name: 'sweeps' };
  if (parts[0] === 'sweeps' && parts.length === 2) {
    const id = positive(parts[1]);
    if (id) return { name: 'sweep', id };
  }
  return { name: 'missing', hash: raw };
}

/** The address of a route, for links. */
export const href = {
  runs: (p: { sweep?: number | null } = {}) => (p.sweep ? `#/runs?sweep=${p.sweep}` : '#/runs'),
  run: (id: number) => `#/runs/${id}`,
  audition: (id: number, p: Partial<AuditionParams> = {}) => {
    const q = new URLSearchParams();
    if (p.split && p.split !== 'test') q.set('split', p.split);
    if (p.weights && p.weights !== 'best') q.set('weights', p.weights);
    if (p.trueFamily !== null && p.trueFamily !== undefined) q.set('true', String(p.trueFamily));
    if (p.pred !== null && p.pred !== undefined) q.set('pred', String(p.pred));
    if (p.show && p.show !== 'wrong') q.set('show', p.show);
    if (p.epoch) q.set('epoch', String(p.epoch));
    if (p.note) q.set('note', p.note);
    const query = q.toString();
    return `#/runs/${id}/audition${query ? `?${query}` : ''}`;
  },
  newRun: (from?: number) => (from ? `#/new?from=${from}` : '#/new'),
  compare: (ids: readonly number[]) => (ids.length ? `#/compare?ids=${ids.join(',')}` : '#/compare'),
  /** `#/groups?ids=3,4,7&by=model.type,lr&metric=bestValAccuracy`; the metric and test only when not the default. */
  groups: (p: Partial<GroupsParams> & { select: RunSelection }) => {
    const q = ['runs' in p.select ? `ids=${p.select.runs.join(',')}` : `sweep=${p.select.sweep}`];
    const by = p.by ?? 'configuration';
    q.push(`by=${typeof by === 'string' ? by : by.map(encodeURIComponent).join(',')}`);
    if (p.metric && p.metric !== 'testAccuracy') q.push(`metric=${p.metric}`);
    if (p.test && p.test !== 'welch') q.push(`test=${p.test}`);
    return `#/groups?${q.join('&')}`;
  },
  datasets: () => '#/datasets',
  queue: () => '#/queue',
  sweeps: () => '#/sweeps',
  sweep: (id: number) => `#/sweeps/${id}`,
};
