import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuPerFrame, percentile, summariseLatency } from '../../../bench/lib/stats.js';

describe('bench stats', () => {
  it('turns CPU seconds per process into microseconds per frame, with their sum', () => {
    assert.deepEqual(cpuPerFrame({ worker: 1.2, producer: 0.3, redis: 0.15 }, 1000), {
      worker: 1200,
      producer: 300,
      redis: 150,
      total: 1650,
    });
  });

  it('leaves out the processes a run did not have (the bare loop has only itself)', () => {
    assert.deepEqual(cpuPerFrame({ worker: 0.5 }, 200), { worker: 2500, total: 2500 });
  });

  it('takes nearest-rank percentiles and reports frames never acked as unbounded', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 99), 4);
    const s = summariseLatency([5, 1, Number.POSITIVE_INFINITY, 3]);
    assert.equal(s.p50_ms, 3);
    assert.equal(s.p99_ms, null);
  });
});
