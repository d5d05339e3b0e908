// The embedding map's worker thread: owns tfjs and UMAP for one map, reports progress to its owner.
import { parentPort } from 'node:worker_threads';
import { runEmbedding, type EmbedEvent, type EmbedJob } from './embed-notes';

const port = parentPort!;

port.once('message', (job: EmbedJob) => {
  void runEmbedding(job, (e: EmbedEvent) => port.postMessage(e)).finally(() => port.close());
});
