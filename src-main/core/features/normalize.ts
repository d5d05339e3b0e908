/** Per-dimension statistics of the train split's features, as `standard` normalization uses them. */
export interface FeatureStats {
  /** Mean of each dimension over every time step of every train note. */
  mean: number[];
  /** Divisor of each dimension: its sample standard deviation (n - 1, as torch.std) + 1e-5. */
  std: number[];
  /** Values per dimension the statistics were computed over (notes x steps). */
  count: number;
}

/** Added to the standard deviation so that a constant dimension does not divide by zero, as the reference. */
export const STD_EPSILON = 1e-5;

/** Streams rows of features (steps x dims each) into per-dimension mean and variance (Chan et al.). */
export class StatsAccumulator {
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly rowMean: Float64Array;
  private readonly rowM2: Float64Array;
  private n = 0;

  constructor(readonly dims: number) {
    this.mean = new Float64Array(dims);
    this.m2 = new Float64Array(dims);
    this.rowMean = new Float64Array(dims);
    this.rowM2 = new Float64Array(dims);
  }

  /** Adds `values.length / dims` time steps; combining per chunk keeps float64 sums accurate. */
  add(values: Float32Array): void {
    const { dims, rowMean, rowM2 } = this;
    const steps = values.length / dims;
    if (steps === 0) return;
    rowMean.fill(0);
    rowM2.fill(0);
    for (let i = 0; i < values.length; i++) rowMean[i % dims]! += values[i]!;
    for (let d = 0; d < dims; d++) rowMean[d]! /= steps;
    for (let i = 0; i < values.length; i++) rowM2[i % dims]! += (values[i]! - rowMean[i % dims]!) ** 2;
    const total = this.n + steps;
    for (let d = 0; d < dims; d++) {
      const delta = rowMean[d]! - this.mean[d]!;
      this.mean[d]! += (delta * steps) / total;
      this.m2[d]! += rowM2[d]! + (delta * delta * this.n * steps) / total;
    }
    this.n = total;
  }

  /** The statistics so far; std is the unbiased estimate + STD_EPSILON. */
  result(): FeatureStats {
    const variance = (d: number) => (this.n > 1 ? this.m2[d]! / (this.n - 1) : 0);
    return {
      mean: Array.from(this.mean),
      std: Array.from(this.mean, (_, d) => Math.sqrt(variance(d)) + STD_EPSILON),
      count: this.n,
    };
  }
}

/** Applies `standard` normalization in place to rows of features: (x - mean) / std per dimension. */
export function applyStandard(values: Float32Array, stats: FeatureStats): Float32Array {
  const dims = stats.mean.length;
  const mean = Float64Array.from(stats.mean);
  const inv = Float64Array.from(stats.std, (s) => 1 / s);
  for (let i = 0; i < values.length; i++) {
    const d = i % dims;
    values[i] = (values[i]! - mean[d]!) * inv[d]!;
  }
  return values;
}
