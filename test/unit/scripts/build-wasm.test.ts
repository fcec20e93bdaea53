import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KERNELS, staleKernels } from '../../../scripts/build-wasm.js';

describe('build:wasm', () => {
  it('every committed wasm module is what its AssemblyScript source compiles to', async () => {
    assert.ok(KERNELS.length > 0);
    assert.deepEqual(await staleKernels(), [], 'run npm run build:wasm and commit the result');
  });
});
