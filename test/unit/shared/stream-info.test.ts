import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idAtOrAfter, unreadFromLag } from '../../../src/shared/redis/stream-info.js';

describe('unreadFromLag: what a group has still to read, when the lag counts trimmed entries', () => {
  it('compares ids as numbers', () => {
    assert.equal(idAtOrAfter('10-0', '9-5'), true);
    assert.equal(idAtOrAfter('9-10', '9-9'), true);
    assert.equal(idAtOrAfter('9-9', '9-9'), true);
    assert.equal(idAtOrAfter('9-9', '10-0'), false);
  });

  it('is 0 once the group has read the newest entry, whatever the lag says', () => {
    assert.equal(unreadFromLag(899, 50, '1000-0', '1000-0'), 0);
    assert.equal(unreadFromLag(5, 0, '0-0', undefined), 0, 'an empty stream');
  });

  it('is never more than the stream holds, and the lag when it is smaller', () => {
    assert.equal(unreadFromLag(899, 50, '900-0', '1000-0'), 50);
    assert.equal(unreadFromLag(7, 50, '993-0', '1000-0'), 7);
  });
});
