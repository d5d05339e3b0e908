// The embedding map of a finished run: its test notes' last hidden layer laid out in 2-D (UMAP).

/** A run's test notes as points of a 2-D map of what its model heard, with their families. */
export interface EmbeddingMap {
  runId: number;
  /** The weights mapped (the run's best, else its last) and their epoch. */
  weights: 'best' | 'last';
  epoch: number | null;
  split: 'test';
  /** The run's seed, which seeds the layout: the same run always gives the same map. */
  seed: number;
  /** Width of the hidden layer mapped (the readout the dense head reads). */
  dims: number;
  /** Each point's note, position (0..1 both ways), true and predicted family index, in one order. */
  notes: string[];
  x: number[];
  y: number[];
  truth: number[];
  predicted: number[];
  createdAt: string;
}
