// The training worker thread: owns tfjs, trains one run, reports every event to its owner.
import { parentPort } from 'node:worker_threads';
import type { TrainerEvent, TrainerRequest } from './protocol';
import { runReplica } from './data-parallel';
import { runEvaluation } from './evaluate';
import { runTraining } from './trainer';

const port = parentPort!;
const post = (e: TrainerEvent) => port.postMessage(e);

port.once('message', (msg: TrainerRequest) => {
  const work =
    msg.type === 'start'
      ? runTraining(msg.job, post)
      : msg.type === 'replica'
        ? runReplica(msg.job, post)
        : runEvaluation(msg.job, post);
  void work.finally(() => port.close());
});
