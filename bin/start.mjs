#!/usr/bin/env node
// `npm start`: gets the default data set ready (rendered on first start, with progress).
// The windowed app (Electron, or the browser shell where Electron is missing) is not built yet.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli.ts');
process.exitCode = await main(['dataset', 'default', ...process.argv.slice(2)]);
