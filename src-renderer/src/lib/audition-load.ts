// What the audition view loads when it opens: the run, and the split's predictions as of the end of
// training or, for a per-epoch confusion matrix, as of that epoch.
import type { EpochPredictions, PredictionSet } from '../../../src-main/shared/contract';
import type { RunDetail } from '../../../src-main/shared/training';
import { messageOf } from './api-list.svelte';
import { api } from './client';

/** Why the audition cannot list notes: no such run, a run not finished, or predictions that failed to load. */
export interface AuditionProblem {
  kind: 'no-run' | 'unfinished' | 'predictions';
  message: string;
}

/** What the audition opened with; `run` is there unless the problem is `no-run`. */
export interface AuditionData {
  run: RunDetail | null;
  set: PredictionSet | null;
  problem: AuditionProblem | null;
}

/**
 * A per-epoch matrix's notes: the validation notes as predicted after that epoch. Only the family is
 * kept per epoch, so probabilities are unknown (NaN, shown as "–").
 */
export function asOfEpoch(final: PredictionSet, ep: EpochPredictions): PredictionSet {
  const at = new Map(ep.notes.map((n) => [n.noteStr, n.predicted]));
  const notes = final.notes.map((n) => ({
    ...n,
    predicted: at.get(n.noteStr) ?? n.predicted,
    confidence: NaN,
    margin: NaN,
    trueProbability: NaN,
    runnerUp: -1,
  }));
  const right = notes.filter((n) => n.predicted === n.trueFamily).length;
  return { ...final, epoch: ep.epoch, accuracy: notes.length ? right / notes.length : 0, notes };
}

/** Loads a run and its predictions of a split and weights (as of `epoch` when given). */
export async function loadAudition(
  id: number,
  split: 'test' | 'valid',
  weights: 'best' | 'last',
  epoch: number | null,
): Promise<AuditionData> {
  let run: RunDetail;
  try {
    run = await api.getRun(id);
  } catch (e) {
    return { run: null, set: null, problem: { kind: 'no-run', message: messageOf(e) } };
  }
  if (run.status !== 'finished') {
    const message = `Audition needs a finished run: run ${id} is ${run.status}.`;
    return { run, set: null, problem: { kind: 'unfinished', message } };
  }
  try {
    const final = await api.listPredictions(id, split, weights);
    const set = epoch === null ? final : asOfEpoch(final, await api.epochPredictions(id, epoch));
    return { run, set, problem: null };
  } catch (e) {
    return { run, set: null, problem: { kind: 'predictions', message: messageOf(e) } };
  }
}
