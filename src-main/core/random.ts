// The seeded generator lives in shared/ (the renderer's statistics draw from it too).
export { mulberry32 } from '../shared/random';
