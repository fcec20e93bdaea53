import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { childrenCpuSeconds } from '../../../bench/lib/child-io.js';

describe('bench child-io', () => {
  it("counts the CPU of a child that has exited (redis-benchmark's, for the XADD ceiling)", (t) => {
    const before = childrenCpuSeconds();
    if (before === null) {
      t.skip('no /proc/self/stat on this system');
      return;
    }
    const busy = 'const end = Date.now() + 300; while (Date.now() < end) {}';
    const r = spawnSync(process.execPath, ['-e', busy]);
    assert.equal(r.status, 0);
    const used = childrenCpuSeconds()! - before;
    assert.ok(used >= 0.25 && used < 5, `child CPU ${used} s`);
  });
});
