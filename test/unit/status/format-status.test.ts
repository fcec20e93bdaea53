import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatus } from '../../../src/status/format-status.js';
import type { SourceStatus } from '../../../src/status/read-status.js';

describe('status table', () => {
  it('adds up after a dlq purge: DEAD-LETTERED is the counter, IN-DLQ the stream now', () => {
    const status: SourceStatus = {
      source: 'poi',
      frames: { length: 11, firstId: '1-0', lastId: '11-0' },
      results: 4,
      dlq: 6, // one of 7 dead letters purged
      groups: [
        {
          name: 'workers',
          consumers: [],
          pending: 0,
          lag: 0,
          lagCounted: false,
          lastDeliveredId: '11-0',
        },
      ],
      counters: {
        produced: 11,
        processed: 4,
        dead_lettered: 7,
        dropped_unread: 0,
        dropped_pending: 0,
        purged: 1,
      },
    };
    const [head, row] = formatStatus([status])
      .split('\n')
      .map((l) => l.split(/\s+/));
    const cell = (name: string) => row![head!.indexOf(name)];
    assert.equal(cell('PRODUCED'), '11');
    assert.equal(cell('PROCESSED'), '4');
    assert.equal(cell('DEAD-LETTERED'), '7');
    assert.equal(cell('IN-DLQ'), '6');
    const sum = ['PROCESSED', 'DEAD-LETTERED', 'DROPPED', 'LAG', 'PENDING'].reduce(
      (n, k) => n + Number(cell(k)),
      0,
    );
    assert.equal(sum, Number(cell('PRODUCED')));
  });
});
