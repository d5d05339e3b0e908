#!/usr/bin/env node
// `npm run bench`: the benchmark, run from the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../test/bench/main.ts');
