import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepeatFilter } from '../../../src/shared/redis/repeat-filter.js';

describe('RepeatFilter: the same log line at most once per interval', () => {
  it('lets a message through, holds its repeats, then lets it through saying how many', () => {
    const f = new RepeatFilter(1000);
    assert.deepEqual(f.take('ECONNREFUSED', 0), { log: true, held: 0 });
    assert.equal(f.take('ECONNREFUSED', 400).log, false);
    assert.equal(f.take('ECONNREFUSED', 800).log, false);
    assert.deepEqual(f.take('ECONNREFUSED', 1000), { log: true, held: 2 });
  });

  it('lets a different message through at once', () => {
    const f = new RepeatFilter(1000);
    f.take('ECONNREFUSED', 0);
    assert.deepEqual(f.take('WRONGPASS', 10), { log: true, held: 0 });
  });
});
