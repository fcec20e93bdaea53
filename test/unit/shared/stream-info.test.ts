import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lagIsExact } from '../../../src/shared/redis/stream-info.js';

describe("lagIsExact: when Redis's lag is taken as is", () => {
  it('takes a lag the stream can hold, 0 and the whole stream included', () => {
    assert.equal(lagIsExact(0, 0), true);
    assert.equal(lagIsExact(7, 10), true);
    assert.equal(lagIsExact(10, 10), true);
  });

  it('counts instead when Redis cannot tell, or counts entries that are gone', () => {
    assert.equal(lagIsExact(null, 10), false);
    assert.equal(lagIsExact(11, 10), false);
  });
});
