import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ZERO_ID,
  compareEntryIds,
  formatEntryId,
  nextEntryId,
  parseEntryId,
} from '../../../src/shared/entry-id.js';

describe('frame entry ids', () => {
  it('uses the capture millisecond with sequence 0 when time moved forward', () => {
    assert.deepEqual(nextEntryId({ ms: 1000, seq: 4 }, 1001), { ms: 1001, seq: 0 });
    assert.deepEqual(nextEntryId(ZERO_ID, 1700000000123.7), { ms: 1700000000123, seq: 0 });
  });

  it('bumps the sequence when two frames share a millisecond', () => {
    assert.deepEqual(nextEntryId({ ms: 1000, seq: 0 }, 1000), { ms: 1000, seq: 1 });
  });

  it('stays strictly increasing when the clock goes backwards', () => {
    const clock = [5000, 5000, 4000, 3000, 5001, 4999, 6000];
    let last = { ms: 4999, seq: 7 };
    for (const t of clock) {
      const next = nextEntryId(last, t);
      assert.ok(compareEntryIds(next, last) > 0, `${formatEntryId(next)} > ${formatEntryId(last)}`);
      last = next;
    }
    assert.deepEqual(last, { ms: 6000, seq: 0 });
  });

  it('continues after the stream last-generated-id on restart', () => {
    const last = parseEntryId('1700000000500-3');
    assert.equal(formatEntryId(nextEntryId(last, 1700000000400)), '1700000000500-4');
  });

  it('parses ids and rejects text that is not one', () => {
    assert.deepEqual(parseEntryId('12-3'), { ms: 12, seq: 3 });
    assert.deepEqual(parseEntryId('12'), { ms: 12, seq: 0 });
    assert.throws(() => parseEntryId('12-x'), TypeError);
  });
});
