import type { FeatureCacheInfo } from '../../shared/features';
import { FAMILIES } from '../../shared/constants';
import type { BackendName, ModelSpec } from '../../shared/training';
import { BatchReader } from '../features/batches';
import { selectBackend } from '../training/backend';
import { restore } from '../training/checkpoints';
import { failureReason, TrainingError } from '../training/failure';
import { evaluationWindow, loadModelDir } from '../training/model-io';
import { buildModel } from '../training/models';
import type { Model } from '../training/models/types';
import { umapLayout } from './layout';

/** What the embedding worker maps: a saved model on the test split of a feature cache. */
export interface EmbedJob {
  modelDir: string;
  cache: FeatureCacheInfo;
  seed: number;
  backend?: BackendName;
  batch: number;
}

/** Worker -> owner. */
export type EmbedEvent =
  | { type: 'progress'; phase: 'embed' | 'layout'; done: number; total: number }
  | {
      type: 'done';
      dims: number;
      notes: string[];
      x: number[];
      y: number[];
      truth: number[];
      predicted: number[];
    }
  | { type: 'failed'; reason: string };

/** Every test note's hidden layer and prediction by a saved model, laid out by UMAP: the embedding worker's life. */
export async function runEmbedding(job: EmbedJob, post: (e: EmbedEvent) => void): Promise<void> {
  let model: Model | undefined;
  let reader: BatchReader | undefined;
  try {
    const { tf } = await selectBackend(job.backend);
    const { meta } = loadModelDir(job.modelDir);
    const spec = meta.topology.model as ModelSpec;
    const shape = meta.topology.inputShape as { steps: number; dims: number };
    const window = evaluationWindow(meta.topology, job.cache);
    if (!job.cache.splits.test?.notes) throw new TrainingError('The data set has no test notes to map.');
    model = buildModel(spec, shape, 0, FAMILIES.length);
    await restore(tf, job.modelDir, model);
    reader = BatchReader.open(job.cache, 'test', window, 1);
    const vectors: number[][] = [];
    const truth: number[] = [];
    const predicted: number[] = [];
    let dims = 0;
    for (const b of reader.sequential(job.batch)) {
      const n = b.y.length;
      const [hidden, guess] = tf.tidy(() => {
        const x = tf.tensor3d(b.x, [n, shape.steps, shape.dims]);
        return [model!.embed(x), tf.argMax(model!.apply(x, false), 1)] as const;
      });
      dims = hidden.shape[1]!;
      const h = hidden.dataSync() as Float32Array;
      const g = guess.dataSync();
      hidden.dispose();
      guess.dispose();
      for (let i = 0; i < n; i++) {
        vectors.push(Array.from(h.subarray(i * dims, (i + 1) * dims)));
        truth.push(b.y[i]!);
        predicted.push(g[i]!);
      }
      post({ type: 'progress', phase: 'embed', done: vectors.length, total: reader.count });
    }
    const { x, y } = umapLayout(vectors, job.seed, (done, total) =>
      post({ type: 'progress', phase: 'layout', done, total }),
    );
    post({ type: 'done', dims, notes: reader.notes(), x, y, truth, predicted });
  } catch (err) {
    post({ type: 'failed', reason: failureReason(err) });
  } finally {
    model?.dispose();
    reader?.close();
  }
}
