// What the Queue view asks of the lasting queue. Each call returns the queue's new state, which the
// store takes at once (the 'queue' event that follows says the same).
import type { QueueState } from '../../../src-main/shared/contract';
import { api } from './client';
import { queue } from './queue.svelte';

/** Pauses or resumes the whole queue. */
export async function setPaused(paused: boolean): Promise<void> {
  queue.take(await (paused ? api.pauseQueue() : api.resumeQueue()));
}

/** Sets how many runs train at once. */
export async function setRunsAtOnce(n: number): Promise<void> {
  queue.take(await api.setRunsAtOnce(n));
}

/** Cancels a waiting (or training) run. */
export async function cancelQueued(id: number): Promise<void> {
  await api.cancelRun(id);
  queue.take(await api.queueState());
}

/**
 * Puts a waiting run at `target` among the waiting runs (0: next to start). moveInQueue counts the
 * runs preparing or training too, and where they sit between the waiting ones is not in
 * QueueState; so the first guess assumes they come first (they were claimed first), and when the
 * state returned says the run landed elsewhere (a paused sweep's runs wait ahead of a training
 * one, say), it moves again by the difference. Each try lands at most as many places off as there
 * are training runs.
 */
export async function placeInQueue(id: number, target: number): Promise<void> {
  let state: QueueState = queue.state;
  const goal = Math.max(0, Math.min(target, state.queued.length - 1));
  let index = goal === 0 ? 0 : goal + state.training.length;
  const most = state.training.length + 2;
  for (let tries = 0; tries < most; tries++) {
    state = await api.moveInQueue(id, index);
    const at = state.queued.indexOf(id);
    if (at < 0 || at === goal) break;
    index = Math.max(0, index + goal - at);
  }
  queue.take(state);
}
