import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InFlight } from '../../../src/workers/in-flight.js';

describe('in-flight bookkeeping', () => {
  it('refuses an entry that is already in flight here, per stream', () => {
    const f = new InFlight();
    assert.equal(f.add('s1', '1-0'), true);
    assert.equal(f.add('s1', '1-0'), false);
    assert.equal(f.add('s2', '1-0'), true);
    assert.equal(f.size, 2);
    assert.deepEqual(f.streams(), [
      ['s1', ['1-0']],
      ['s2', ['1-0']],
    ]);
  });

  it('wakes a waiter once a slot frees, and ignores deleting an unknown entry', async () => {
    const f = new InFlight();
    f.add('s', '1-0');
    f.add('s', '2-0');
    let woke = false;
    const waiting = f.waitBelow(2).then(() => (woke = true));
    f.delete('s', '9-0');
    await Promise.resolve();
    assert.equal(woke, false);
    assert.equal(f.size, 2);
    f.delete('s', '1-0');
    await waiting;
    assert.equal(woke, true);
    assert.equal(f.has('s', '1-0'), false);
  });

  it('stops waiting when the signal aborts', async () => {
    const f = new InFlight();
    f.add('s', '1-0');
    const controller = new AbortController();
    const waiting = f.waitBelow(1, controller.signal);
    controller.abort();
    await waiting;
    assert.equal(f.size, 1);
  });
});
