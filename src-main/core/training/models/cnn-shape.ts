// The CNN's time geometry, shared by its builder (cnn.ts) and its registry entry (no tfjs here).

/** Each conv block halves the number of time steps with a max pool of this size. */
export const CNN_POOL = 2;

/** Steps left after `blocks` conv blocks. */
export function cnnSteps(steps: number, blocks: number): number {
  let t = steps;
  for (let b = 0; b < blocks; b++) t = Math.floor(t / CNN_POOL);
  return t;
}

/** Filters of the CRNN's convolutional front end, one block each (3x3 conv, ReLU, 2x2 max pool). */
export const CRNN_FILTERS = [16, 32] as const;
