import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrimSchedule } from '../../../src/producer/trim-schedule.js';

describe('TrimSchedule: when the producer asks Redis to trim', () => {
  it('with the first batch (earlier runs may have left more), then once slack entries were written', () => {
    const s = new TrimSchedule(3);
    assert.equal(s.due(), true, 'due at once');
    s.trimmed();
    s.added(2);
    assert.equal(s.due(), false, 'two entries since the trim, slack is 3');
    s.added(1);
    assert.equal(s.due(), true);
    s.trimmed();
    assert.equal(s.due(), false);
  });

  it('a slack below 1 trims with every batch', () => {
    const s = new TrimSchedule(0);
    s.trimmed();
    s.added(1);
    assert.equal(s.due(), true);
  });
});
