import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durableCounters } from '../../../src/shared/redis/durable-counters.js';
import { parseStreamSummary } from '../../../src/shared/redis/stream-info.js';

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
    assert.equal(parseStreamSummary(reply).entriesAdded, 12);
    assert.equal(parseStreamSummary(null).entriesAdded, 0);
    assert.equal(parseStreamSummary(['length', 3]).entriesAdded, 0);
  });

  it('reads length and the first and last ids, not the entries, from the same reply', () => {
    const reply = [
      'length',
      2,
      'entries-added',
      5,
      'first-entry',
      ['4-0', ['data', 'x']],
      'last-entry',
      ['5-0', ['data', 'y']],
    ];
    assert.deepEqual(parseStreamSummary(reply), {
      length: 2,
      firstId: '4-0',
      lastId: '5-0',
      entriesAdded: 5,
    });
    assert.deepEqual(parseStreamSummary(['length', 0, 'first-entry', null, 'last-entry', null]), {
      length: 0,
      firstId: null,
      lastId: null,
      entriesAdded: 0,
    });
  });
});
