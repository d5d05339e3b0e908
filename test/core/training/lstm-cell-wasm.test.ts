import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without types of its own
import { compiledModule, TS_FILE } from '../../../scripts/build-wasm.mjs';

describe('the LSTM cell WebAssembly', () => {
  it('in lstm-cell-wasm.ts is lstm-cell.wat compiled (run scripts/build-wasm.mjs after editing the .wat)', async () => {
    const compiled = (await compiledModule()) as string;
    expect(fs.readFileSync(TS_FILE as string, 'utf8')).toBe(compiled);
  });
});
