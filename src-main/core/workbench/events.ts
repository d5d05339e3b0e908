import type { RunEventPayload, WorkbenchEvent } from '../../shared/contract';
import type { RunEvent } from '../training/runner';

/** A run's event as the shells get it: without its bulky parts (predictions stay in the database). */
export function runEventOf(e: RunEvent): WorkbenchEvent | undefined {
  let payload: RunEventPayload | undefined;
  switch (e.type) {
    case 'features':
    case 'log':
    case 'ended':
    case 'batch':
      payload = e;
      break;
    case 'ready':
      payload = { type: 'ready', backend: e.backend, version: e.version };
      break;
    case 'epoch':
      payload = { type: 'epoch', metrics: e.metrics, confusion: e.confusion, dbSeconds: e.dbSeconds };
      break;
    case 'evaluation':
      payload = {
        type: 'evaluation',
        weights: e.weights,
        split: e.split,
        accuracy: e.accuracy,
        loss: e.loss,
      };
      break;
  }
  if (!payload) return undefined;
  const { runId: _, ...rest } = payload as RunEventPayload & { runId?: number };
  return { type: 'run', runId: e.runId, event: rest as RunEventPayload };
}
