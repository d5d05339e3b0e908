// Statistics of groups of runs (issue 13), pure and dependency-free so that the renderer, the
// reports and the CLI compute the same numbers: one import for all of src-main/shared/stats/.
export * from './stats/t-dist';
export * from './stats/means';
export * from './stats/bootstrap';
export * from './stats/sentence';
