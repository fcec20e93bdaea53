import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseAutoclaimReply,
  parseIdList,
  parsePendingDeliveries,
  parseReadReply,
} from '../../../src/shared/redis/stream-replies.js';

const b = (s: string) => Buffer.from(s);

describe('parsing stream replies', () => {
  it('reads an XAUTOCLAIM page: cursor, claimed entries and the deleted ids (Redis 7)', () => {
    const page = parseAutoclaimReply([
      b('1700-3'),
      [[b('1-0'), [b('seq'), b('1')]]],
      [b('2-0'), b('3-0')],
    ]);
    assert.equal(page.cursor, '1700-3');
    assert.deepEqual(
      page.entries.map((e) => e.id),
      ['1-0'],
    );
    assert.deepEqual(page.entries[0]?.fields, [b('seq'), b('1')]);
    assert.deepEqual(page.deletedIds, ['2-0', '3-0']);
  });

  it('treats [id, nil] entries of an XAUTOCLAIM reply without a third element as deleted (Redis 6.2)', () => {
    const page = parseAutoclaimReply([
      b('0-0'),
      [
        [b('1-0'), null],
        [b('4-0'), [b('a'), b('b')]],
      ],
    ]);
    assert.equal(page.cursor, '0-0');
    assert.deepEqual(page.deletedIds, ['1-0']);
    assert.deepEqual(
      page.entries.map((e) => e.id),
      ['4-0'],
    );
  });

  it('reads an XREADGROUP reply, keeping [id, nil] as a trimmed entry, and null as nothing', () => {
    assert.deepEqual(parseReadReply(null), []);
    const batches = parseReadReply([
      [
        b('k1'),
        [
          [b('1-0'), null],
          [b('2-0'), [b('f'), b('v')]],
        ],
      ],
    ]);
    assert.equal(batches[0]?.key, 'k1');
    assert.deepEqual(batches[0]?.entries, [
      { id: '1-0', fields: null },
      { id: '2-0', fields: [b('f'), b('v')] },
    ]);
  });

  it('keeps binary field values byte for byte', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0x00, 0x80, 0xff]);
    const [batch] = parseReadReply([[b('k'), [[b('1-0'), [b('data'), jpeg]]]]]);
    assert.ok(batch?.entries[0]?.fields?.[1]?.equals(jpeg));
  });

  it('reads delivery counts from an extended XPENDING reply', () => {
    const counts = parsePendingDeliveries([
      [b('1-0'), b('c1'), 10, 1],
      [b('2-0'), b('c1'), 20, 4],
    ]);
    assert.deepEqual(
      [...counts],
      [
        ['1-0', 1],
        ['2-0', 4],
      ],
    );
  });

  it('reads an XCLAIM JUSTID id list', () => {
    assert.deepEqual(parseIdList(['1-0', b('2-0')]), ['1-0', '2-0']);
  });

  it('rejects a reply of the wrong shape', () => {
    assert.throws(() => parseAutoclaimReply('OK'), TypeError);
  });
});
