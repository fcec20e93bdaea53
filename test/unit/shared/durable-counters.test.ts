import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durableCounters, entriesAddedOf } from '../../../src/shared/redis/durable-counters.js';

describe('durable counters', () => {
  it('produced is what the stream added, less what a DLQ redrive added back', () => {
    const c = durableCounters(
      { processed: '7', dead_lettered: '1', redriven: '2', reids: '1' },
      10,
    );
    assert.equal(c.produced, 8);
    assert.equal(c.processed, 7);
    assert.equal(c.dropped_unread, 0);
    assert.equal(c.fields.reids, 1);
  });

  it('reads entries-added from an XINFO STREAM reply, and 0 from anything else', () => {
    const reply = ['length', 3, 'last-generated-id', '5-0', 'entries-added', 12, 'groups', 1];
    assert.equal(entriesAddedOf(reply), 12);
    assert.equal(entriesAddedOf(null), 0);
    assert.equal(entriesAddedOf(['length', 3]), 0);
  });
});
