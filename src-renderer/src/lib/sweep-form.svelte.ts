// The New run form's sweep mode: which settings vary and how, the sweep's own settings (seeds,
// trials, budget, early stopping), the SweepSpec they make, and the live plan (planSweep) of it.
// The single-run values stay in RunForm untouched, so turning every "vary" off gives them back.
import type { FieldDef, FieldKey } from '../../../src-main/shared/train-schema';
import {
  MAX_ASHA_ETA,
  MAX_SWEEP_NAME,
  MAX_SWEEP_RUNS,
  MAX_SWEEP_SEEDS,
  type EarlyStopping,
  type SweepDistribution,
  type SweepPlan,
  type SweepSpec,
  type SweepValue,
} from '../../../src-main/shared/sweeps';
import { api } from './client';
import { flatValues } from './run-checks.svelte';
import type { RunForm } from './run-form.svelte';
import { messageOf } from './runs.svelte';
import { checkVary, rangeAllowed, wholeIn, type Vary, type VaryCheck } from './sweep-checks';

export type { Vary, VaryCheck, VaryMode } from './sweep-checks';

/** Early stopping as the form offers it. */
export type StopMethod = 'off' | 'asha' | 'median';

/** The sweep's own settings that can be wrong, by input. */
export type SweepSetting = 'name' | 'seeds' | 'trials' | 'budget' | 'minEpochs' | 'eta' | 'minRuns';

const SETTING_LABELS: Record<SweepSetting, string> = {
  name: 'Sweep name',
  seeds: 'Seeds',
  trials: 'Trials',
  budget: 'Budget',
  minEpochs: 'Early stopping epochs',
  eta: 'Keep top 1/n',
  minRuns: 'Runs before stopping',
};

/** Whether a setting can vary: every number and choice but the seed (seeds per configuration set it). */
export const canVary = (field: FieldDef): boolean => field.key !== 'seed';

/** The form's sweep mode, over the RunForm whose other values are the sweep's base configuration. */
export class SweepForm {
  readonly form: RunForm;
  vary = $state<Partial<Record<FieldKey, Vary>>>({});
  /** '' means the default name (preset and varied settings). */
  name = $state('');
  seeds = $state('1');
  trials = $state('10');
  budget = $state('');
  stop = $state<StopMethod>('off');
  ashaMinEpochs = $state('1');
  eta = $state('3');
  medianMinEpochs = $state('3');
  minRuns = $state('3');

  /** The latest answer of planSweep, and the spec (as JSON) it answers, or its error. */
  plan = $state.raw<SweepPlan | null>(null);
  planError = $state<string | null>(null);
  planFor = $state('');
  #asked = 0;
  /** What a setting's vary inputs held when it was turned off, to give it back when turned on. */
  #memory = new Map<FieldKey, Vary>();

  constructor(form: RunForm) {
    this.form = form;
  }

  /** The varied settings' keys, in schema order. */
  keys: FieldKey[] = $derived.by(() =>
    (this.form.options?.fields ?? []).filter((f) => this.vary[f.key]).map((f) => f.key),
  );
  active = $derived(this.keys.length > 0);
  /** Random as soon as one setting is a range; lists then become `choice` draws. */
  method = $derived(
    this.keys.some((k) => this.vary[k]!.mode === 'range' && rangeAllowed(this.form.field(k)))
      ? ('random' as const)
      : ('grid' as const),
  );
  checks: Partial<Record<FieldKey, VaryCheck>> = $derived.by(() => {
    const options = this.form.options;
    if (!options) return {};
    const flat = flatValues(this.form.values, this.form.choices);
    const out: Partial<Record<FieldKey, VaryCheck>> = {};
    for (const k of this.keys) out[k] = checkVary(this.form.field(k), this.vary[k]!, flat, options);
    return out;
  });
  defaultName = $derived.by(() => `${this.form.preset} · ${this.keys.join(' × ')}`.slice(0, MAX_SWEEP_NAME));

  /** The sweep's own settings, each with its value or error. */
  settings = $derived.by(() => {
    const epochs = this.form.options ? this.form.field('epochs').max! : 10_000;
    const asha = this.stop === 'asha';
    const median = this.stop === 'median';
    const nameError =
      this.name.trim().length > MAX_SWEEP_NAME ? `At most ${MAX_SWEEP_NAME} characters` : null;
    return {
      name: { value: this.name.trim() || this.defaultName, error: nameError },
      seeds: wholeIn(this.seeds, 1, MAX_SWEEP_SEEDS),
      trials:
        this.method === 'random'
          ? wholeIn(this.trials, 1, MAX_SWEEP_RUNS)
          : { value: undefined, error: null },
      budget: wholeIn(this.budget, 1, MAX_SWEEP_RUNS, true),
      minEpochs: asha
        ? wholeIn(this.ashaMinEpochs, 1, epochs)
        : median
          ? wholeIn(this.medianMinEpochs, 1, epochs)
          : { value: undefined, error: null },
      eta: asha ? wholeIn(this.eta, 2, MAX_ASHA_ETA) : { value: undefined, error: null },
      minRuns: median ? wholeIn(this.minRuns, 1, MAX_SWEEP_RUNS) : { value: undefined, error: null },
    } satisfies Record<SweepSetting, { value: unknown; error: string | null }>;
  });

  /** The labels of everything that must be fixed before the sweep can be planned or launched. */
  problems: string[] = $derived.by(() => {
    const out = this.form.invalid.filter((k) => !this.vary[k]).map((k) => this.form.field(k).label);
    for (const k of this.keys) if (this.checks[k]?.error) out.push(this.form.field(k).label);
    for (const [k, s] of Object.entries(this.settings))
      if (s.error) out.push(SETTING_LABELS[k as SweepSetting]);
    return out;
  });

  /** The spec the form describes, or null while something is wrong. */
  spec: SweepSpec | null = $derived.by(() => {
    if (!this.active || this.problems.length || !this.form.options) return null;
    const request = this.form.request();
    const s = this.settings;
    const spec: SweepSpec = {
      name: s.name.value,
      base: { preset: request.preset, overrides: request.overrides },
      method: this.method,
      seeds: s.seeds.value,
    };
    const dists = this.keys.map((k) => [k, this.checks[k]!.dist!] as const);
    if (this.method === 'grid') {
      spec.grid = Object.fromEntries(dists.map(([k, d]) => [k, (d as { values: SweepValue[] }).values]));
    } else {
      spec.random = Object.fromEntries(dists) as Record<FieldKey, SweepDistribution>;
      spec.trials = s.trials.value;
    }
    if (s.budget.value !== undefined) spec.budget = s.budget.value;
    const stopping: EarlyStopping | undefined =
      this.stop === 'asha'
        ? { method: 'asha', minEpochs: s.minEpochs.value!, eta: s.eta.value! }
        : this.stop === 'median'
          ? { method: 'median', minEpochs: s.minEpochs.value!, minRuns: s.minRuns.value! }
          : undefined;
    if (stopping) spec.earlyStopping = stopping;
    return spec;
  });
  specKey = $derived(this.spec ? JSON.stringify(this.spec) : '');
  /** The plan answers the spec as it is now (not one typed a moment ago). */
  current = $derived(this.specKey !== '' && this.planFor === this.specKey);

  /** Turns varying a setting on (starting from its current value) or off. */
  toggle(key: FieldKey): void {
    const now = this.vary[key];
    if (now) {
      this.#memory.set(key, $state.snapshot(now) as Vary);
      delete this.vary[key];
      return;
    }
    const field = this.form.field(key);
    const choice = field.kind === 'choice';
    this.vary[key] = this.#memory.get(key) ?? {
      mode: 'list',
      list: choice ? '' : (this.form.values[key] ?? ''),
      picked: choice ? [this.form.choices[key] ?? ''] : [],
      min: '',
      max: '',
      log: false,
    };
  }

  /** Asks planSweep for the counts and time of a spec; an answer to an older spec is dropped. */
  async refresh(spec: SweepSpec, key: string): Promise<void> {
    const asked = ++this.#asked;
    try {
      const plan = await api.planSweep(spec);
      if (asked !== this.#asked) return;
      this.plan = plan;
      this.planError = null;
    } catch (e) {
      if (asked !== this.#asked) return;
      this.plan = null;
      this.planError = messageOf(e);
    }
    this.planFor = key;
  }
}
