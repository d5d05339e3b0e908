// What the Queue view asks of the lasting queue. Each call returns the queue's new state, which the
// store takes at once (the 'queue' event that follows says the same).
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

/** Puts a waiting run at `target` among the waiting runs (0: next to start). */
export async function placeInQueue(id: number, target: number): Promise<void> {
  const goal = Math.max(0, Math.min(target, queue.state.queued.length - 1));
  queue.take(await api.moveInQueue(id, goal));
}
