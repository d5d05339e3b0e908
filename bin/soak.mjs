#!/usr/bin/env node
// `npm run soak`: kills training at random moments and checks nothing is lost or duplicated; run
// from the TypeScript sources through tsx. Not part of `npm test` (a few minutes).
import { register } from 'tsx/esm/api';

register();
await import('../test/soak/main.ts');
