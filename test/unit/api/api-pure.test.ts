import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, parseInput } from '../../../src/api/api-error.js';
import { PlateParams, PlateQuery } from '../../../src/api/api-schemas.js';
import { decodeCursor, encodeCursor } from '../../../src/api/plate-history.js';
import { producedFps } from '../../../src/api/read-sources.js';

describe('plate history cursor', () => {
  it('round-trips the (captured µs, row id) key', () => {
    const c = { us: '1700000000123456', id: '42' };
    assert.deepEqual(decodeCursor(encodeCursor(c)), c);
  });

  it('refuses anything that is not a cursor of ours with a 400', () => {
    for (const bad of ['', 'x', Buffer.from('1:2:3').toString('base64url')]) {
      assert.throws(
        () => decodeCursor(bad),
        (err: unknown) => {
          assert.ok(err instanceof ApiError);
          assert.equal(err.statusCode, 400);
          return true;
        },
      );
    }
  });
});

describe('parseInput', () => {
  it('normalises the plate and applies defaults', () => {
    assert.deepEqual(parseInput(PlateParams, { plate: 'ab-12 cd' }, 'params'), { plate: 'AB12CD' });
    assert.deepEqual(parseInput(PlateQuery, {}, 'query'), { limit: 50 });
  });

  it('names the part and field that failed', () => {
    assert.throws(
      () => parseInput(PlateQuery, { limit: '0' }, 'query'),
      (err: unknown) =>
        err instanceof ApiError &&
        err.code === 'FRAMEPIPE_ERR_BAD_REQUEST' &&
        err.message.startsWith('query.limit:'),
    );
  });
});

describe('producedFps', () => {
  const entry = (ms: number, payload: string): [string, string[]] => [
    `${ms}-0`,
    ['source', 'cam1', 'payload', payload],
  ];

  it('takes fps from a recent producer metrics entry', () => {
    assert.equal(producedFps(entry(99_000, '{"fps":24.5}'), 100_000, 10), 24.5);
  });

  it('is null when there is no entry, it is older than the window, or it has no fps', () => {
    assert.equal(producedFps(undefined, 100_000, 10), null);
    assert.equal(producedFps(entry(80_000, '{"fps":24.5}'), 100_000, 10), null);
    assert.equal(producedFps(entry(99_000, '{"other":1}'), 100_000, 10), null);
    assert.equal(producedFps(entry(99_000, 'not json'), 100_000, 10), null);
  });
});
