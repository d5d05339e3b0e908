// Worker thread of the feature pool: reads notes' WAV files and returns their feature rows.
import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureConfig } from '../../shared/features';
import { errorMessage } from '../workers';
import { createExtractor } from './extract';
import { extractRows, type FeatureJob, type FeatureReply } from './pool';

const config = (workerData as { config: FeatureConfig }).config;
const extract = createExtractor(config);
const port = parentPort!;

port.on('message', (job: FeatureJob) => {
  let reply: FeatureReply;
  try {
    const data = extractRows(job.files, config, extract);
    reply = { type: 'rows', id: job.id, data };
    port.postMessage(reply, [data.buffer as ArrayBuffer]);
  } catch (err) {
    reply = { type: 'failed', id: job.id, message: errorMessage(err) };
    port.postMessage(reply);
  }
});
