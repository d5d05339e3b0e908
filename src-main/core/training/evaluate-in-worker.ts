import type { EvaluateJob, EvaluationMessage, TrainerEvent, TrainerRequest } from './protocol';
import { siblingModule, startWorker } from '../workers';

const workerUrl = siblingModule(import.meta.url, 'train-worker');

/** Evaluates a saved model in a worker thread; rejects with the worker's readable reason. */
export function evaluateInWorker(job: EvaluateJob): Promise<EvaluationMessage & { backend: string }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerUrl);
    let backend = '';
    let result: EvaluationMessage | undefined;
    worker.on('message', (e: TrainerEvent) => {
      if (e.type === 'ready') backend = e.backend;
      else if (e.type === 'evaluation') result = e;
      else if (e.type === 'failed') reject(new Error(e.reason));
    });
    worker.on('error', (err) => reject(new Error(`The evaluation worker crashed: ${err.message}`)));
    worker.on('exit', () => {
      if (result) resolve({ ...result, backend });
      else reject(new Error('The evaluation worker stopped without a result.'));
    });
    worker.postMessage({ type: 'evaluate', job } satisfies TrainerRequest);
  });
}
