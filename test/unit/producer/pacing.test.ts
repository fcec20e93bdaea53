import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delayUntil, frameIntervalMs, nextDeadline } from '../../../src/producer/pacing.js';

describe('fps pacing', () => {
  it('takes the first frame at once', () => {
    assert.equal(nextDeadline(undefined, 1000, 40), 1000);
  });

  it('spaces frames one interval apart when keeping up', () => {
    let deadline = nextDeadline(undefined, 0, 40);
    const deadlines = [];
    for (const now of [1, 41, 79, 121]) {
      deadline = nextDeadline(deadline, now, 40);
      deadlines.push(deadline);
    }
    assert.deepEqual(deadlines, [40, 80, 120, 160]);
  });

  it('absorbs a small delay without drifting', () => {
    assert.equal(nextDeadline(100, 170, 40), 140);
  });

  it('does not burst to catch up after falling far behind', () => {
    assert.equal(nextDeadline(100, 1000, 40), 1000);
  });

  it('computes the interval and the wait', () => {
    assert.equal(frameIntervalMs(25), 40);
    assert.equal(frameIntervalMs(0), 0); // no cap
    assert.equal(delayUntil(140, 100), 40);
    assert.equal(delayUntil(140, 200), 0);
  });
});
