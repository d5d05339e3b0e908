import { z } from 'zod';
import { REPORT_FORMATS } from './reports/registry';
import { MAX_RUNS_AT_ONCE, type ApiMethod } from '../shared/contract';
import { MAX_SWEEP_RUNS, MAX_SWEEP_SEEDS } from '../shared/sweeps';
import { SPLITS } from '../shared/constants';
import {
  CURVE_METRICS,
  GROUP_METRIC_KEYS,
  MAX_CURVE_GROUPS,
  MAX_CURVE_RUNS,
  MAX_GROUPED_RUNS,
  MAX_HARD_NOTES,
} from '../shared/group-compare';
import { MAX_LIST_FIRST } from '../shared/run-list';
import { MAX_EXTRA_COLUMNS, MAX_VIEW_JSON, MAX_VIEW_NAME } from '../shared/run-views';
import { TRAIN_FIELDS, type FieldKind, type FieldSection } from '../shared/train-schema';
import { BACKENDS, RUN_STATUSES } from '../shared/training';
import { errorKind } from './errors';

// Whether any string in a JSON-like value holds a NUL; deeper than any argument of ours counts too.
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 8 || typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v, depth + 1));
}

/** Arguments a window sent that do not fit the API; the message says which and why. */
export const ApiArgumentError = errorKind('ApiArgumentError', 'bad-argument');
export type ApiArgumentError = InstanceType<typeof ApiArgumentError>;

const ref = z.union([z.string().min(1).max(4096), z.number().int().positive()]);
const id = z.number().int().positive();
const backend = z.enum(BACKENDS);
const num = z.number().finite();
const int = z.number().int();

// Run settings' shapes come from the schema's field lists: unknown keys and wrong types are refused
// here; ranges and allowed words are core validation's (resolveTrainConfig,
// validateFeatureConfig), with its messages.
const KIND_SHAPES: Record<FieldKind, z.ZodType> = { int, number: num, choice: z.string().max(100) };
const sectionShape = (section: FieldSection) =>
  Object.fromEntries(
    TRAIN_FIELDS.filter((f) => f.section === section).map((f) => [f.key, KIND_SHAPES[f.kind]]),
  );

const features = z.object(sectionShape('features')).partial().strict();
const model = z.object(sectionShape('model')).partial().strict();

const overrides = z
  .object({ model, features, ...sectionShape('training') })
  .partial()
  .strict();

const runRequest = z
  .object({
    preset: z.string().max(100).optional(),
    overrides: overrides.optional(),
    dataset: ref.optional(),
    name: z.string().max(200).optional(),
    backend: backend.optional(),
  })
  .strict();

// A sweep's shape: settings by the schema's keys, lists capped; ranges are validateSweepSpec's.
const sweepValues = z.array(z.union([num, z.string().max(100)])).max(1000);
const bySetting = (shape: z.ZodType) =>
  z
    .object(Object.fromEntries(TRAIN_FIELDS.map((f) => [f.key, shape])))
    .partial()
    .strict();
const distribution = z.union([
  z.object({ kind: z.literal('choice'), values: sweepValues }).strict(),
  z.object({ kind: z.enum(['uniform', 'loguniform', 'int']), min: num, max: num }).strict(),
]);
const earlyStopping = z.union([
  z
    .object({
      method: z.literal('asha'),
      rungs: z.array(num).max(100),
      minEpochs: num,
      eta: num,
      minRuns: num,
    })
    .partial({ rungs: true, minEpochs: true, eta: true, minRuns: true })
    .strict(),
  z
    .object({ method: z.literal('median'), minEpochs: num, minRuns: num })
    .partial({ minEpochs: true, minRuns: true })
    .strict(),
]);
const sweepSpec = z
  .object({
    name: z.string().max(200),
    base: z
      .object({ preset: z.string().max(100), overrides })
      .partial()
      .strict(),
    method: z.enum(['grid', 'random']),
    grid: bySetting(sweepValues).optional(),
    random: bySetting(distribution).optional(),
    trials: num.optional(),
    seeds: num.optional(),
    seed: num.optional(),
    budget: num.optional(),
    earlyStopping: earlyStopping.optional(),
  })
  .strict();

const evaluatedSplit = z.enum(['valid', 'test']);
const noteStr = z.string().min(1).max(300);

const edit = z
  .object({
    name: z.string().min(1).max(200),
    notes: z.string().max(100_000),
    tags: z.array(z.string().max(100)).max(100),
  })
  .partial()
  .strict();

// Runs to compare as groups: given ids, or a sweep's runs.
const selection = z.union([
  z.object({ runs: z.array(id).min(1).max(MAX_GROUPED_RUNS) }).strict(),
  z.object({ sweep: id }).strict(),
]);

const groupRequest = z
  .object({
    select: selection,
    groupBy: z.union([z.enum(['configuration', 'sweep']), z.array(z.string().min(1).max(200)).min(1).max(8)]),
    metric: z.enum(GROUP_METRIC_KEYS as [string, ...string[]]).optional(),
    test: z.enum(['welch', 'bootstrap']).optional(),
  })
  .strict();

const curveGroups = z.array(z.array(id).min(1).max(MAX_CURVE_RUNS)).min(1).max(MAX_CURVE_GROUPS);
const sweepFilter = z.object({ sweep: id.nullable() }).partial().strict();
const listFilter = z
  .object({ sweep: id.nullable(), first: z.number().int().min(1).max(MAX_LIST_FIRST) })
  .partial()
  .strict();
const columnKey = z.string().min(1).max(200);
const viewName = z.string().trim().min(1).max(MAX_VIEW_NAME);

// A saved view of the runs table; its JSON is bounded (the table stores it as the renderer sent it).
const savedView = z
  .object({
    name: viewName,
    filter: z.string().max(2000),
    status: z.union([z.literal(''), z.enum(RUN_STATUSES)]),
    sweep: id.nullable(),
    sort: z.object({ key: columnKey, dir: z.union([z.literal(1), z.literal(-1)]) }).strict(),
    columns: z.array(columnKey).max(MAX_EXTRA_COLUMNS),
    hidden: z.array(columnKey).max(100),
    groupBy: z.union([
      z.enum(['', 'sweep', 'configuration']),
      z
        .string()
        .regex(/^column:./)
        .max(210),
    ]),
  })
  .strict()
  .refine(
    (v) => JSON.stringify(v).length <= MAX_VIEW_JSON,
    `a view's JSON is at most ${MAX_VIEW_JSON} characters`,
  );

/** The argument list each API method accepts, checked before any call from a window. */
const ARGS: Record<ApiMethod, z.ZodType<unknown[]>> = {
  appInfo: z.tuple([]),
  listDatasets: z.tuple([]),
  getDataset: z.tuple([ref]),
  importDataset: z.union([
    z.tuple([z.string().min(1).max(4096)]),
    z.tuple([z.string().min(1).max(4096), z.string().min(1).max(100)]),
  ]),
  ensureDefaultDataset: z.union([z.tuple([]), z.tuple([z.enum(['instrument', 'soundfont'])])]),
  buildFeatures: z.union([z.tuple([ref]), z.tuple([ref, features])]),
  listPresets: z.tuple([]),
  trainingOptions: z.tuple([]),
  validateRun: z.tuple([runRequest]),
  planSweep: z.tuple([sweepSpec]),
  createRun: z.tuple([runRequest]),
  createSweep: z.union([z.tuple([sweepSpec]), z.tuple([sweepSpec, ref])]),
  listSweeps: z.tuple([]),
  getSweep: z.tuple([id]),
  pauseSweep: z.tuple([id]),
  resumeSweep: z.tuple([id]),
  cancelSweep: z.tuple([id]),
  extendSweep: z.tuple([
    id,
    z
      .object({
        trials: z.number().int().min(1).max(MAX_SWEEP_RUNS),
        seeds: z.number().int().min(1).max(MAX_SWEEP_SEEDS),
      })
      .partial()
      .strict(),
  ]),
  compareGroups: z.tuple([groupRequest]),
  groupCurves: z.union([
    z.tuple([curveGroups, z.enum(CURVE_METRICS)]),
    z.tuple([curveGroups, z.enum(CURVE_METRICS), z.object({ runs: z.boolean() }).partial().strict()]),
  ]),
  // At most the groups a view shows matrices of, ten times over: never millions of ids in one call.
  groupMatrices: z.tuple([
    z
      .array(z.array(id).min(1).max(MAX_GROUPED_RUNS))
      .min(1)
      .max(MAX_CURVE_GROUPS * 10),
  ]),
  hardNotes: z.union([
    z.tuple([selection]),
    z.tuple([selection, z.number().int().min(1).max(MAX_HARD_NOTES)]),
  ]),
  noteAcrossRuns: z.tuple([selection, noteStr]),
  listRuns: z.union([z.tuple([]), z.tuple([listFilter])]),
  runColumns: z.union([
    z.tuple([z.array(columnKey).max(MAX_EXTRA_COLUMNS)]),
    z.tuple([z.array(columnKey).max(MAX_EXTRA_COLUMNS), sweepFilter]),
  ]),
  listViews: z.tuple([]),
  saveView: z.tuple([savedView]),
  deleteView: z.tuple([viewName]),
  getRun: z.tuple([id]),
  getRuns: z.tuple([z.array(id).max(100)]),
  updateRun: z.tuple([id, edit]),
  deleteRun: z.tuple([id]),
  cancelRun: z.tuple([id]),
  resumeRun: z.union([z.tuple([id]), z.tuple([id, backend])]),
  queueState: z.tuple([]),
  pauseQueue: z.tuple([]),
  resumeQueue: z.tuple([]),
  moveInQueue: z.tuple([
    id,
    z
      .number()
      .int()
      .min(0)
      .max(MAX_SWEEP_RUNS * 100),
  ]),
  setRunsAtOnce: z.tuple([z.number().int().min(1).max(MAX_RUNS_AT_ONCE)]),
  clusterWorkers: z.tuple([]),
  runWorkers: z.tuple([id]),
  listPredictions: z.union([
    z.tuple([id]),
    z.tuple([id, evaluatedSplit]),
    z.tuple([id, evaluatedSplit, z.enum(['best', 'last'])]),
  ]),
  noteAudio: z.tuple([id, z.enum(SPLITS), noteStr]),
  embeddingMap: z.tuple([id]),
  makeEmbeddingMap: z.tuple([id]),
  noteHistory: z.tuple([id, noteStr]),
  epochPredictions: z.tuple([id, id]),
  listReportFormats: z.tuple([]),
  exportReport: z.tuple([z.array(id).min(1).max(100), z.enum(REPORT_FORMATS)]),
  exportSweepReport: z.tuple([id, z.enum(REPORT_FORMATS)]),
  exportGroupReport: z.tuple([groupRequest, z.enum(REPORT_FORMATS)]),
};

/** Checks a call's arguments; throws ApiArgumentError naming the method, the place and the problem. */
export function checkArgs(method: ApiMethod, args: unknown): unknown[] {
  // No name, note or path of ours holds a NUL, and file system calls throw on one.
  if (holdsNul(args))
    throw new ApiArgumentError(`${method}: invalid arguments: a text holds a NUL character`);
  const result = ARGS[method].safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new ApiArgumentError(`${method}: invalid arguments${where}: ${issue.message}`);
}
