// The training thread of a cluster worker: the same as the hub's own (training/train-worker.ts),
// started from beside the module that starts it.
import '../training/train-worker';
