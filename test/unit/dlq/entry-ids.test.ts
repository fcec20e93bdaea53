import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEntryId, splitIds } from '../../../src/dlq/entry-ids.js';

describe('stream entry ids', () => {
  it('accepts <ms>-<seq> up to 64-bit values and nothing else', () => {
    assert.ok(isEntryId('0-0'));
    assert.ok(isEntryId('18446744073709551615-18446744073709551615'));
    assert.ok(!isEntryId('18446744073709551616-0'));
    assert.ok(!isEntryId('1700000000000'));
    assert.ok(!isEntryId('1-1 '));
    assert.ok(!isEntryId('a-b'));
  });

  it('splits a comma list, dropping blanks and repeats', () => {
    assert.deepEqual(splitIds('a, b ,,a'), ['a', 'b']);
    assert.deepEqual(splitIds(' , '), []);
  });
});
