import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { getLatest, setLatest, type LatestResult } from '../../src/sink/latest-cache.js';
import { useRedisServer } from '../helpers/redis-server.js';

const result = (id: string, plate: string): LatestResult => ({
  id,
  source: 'cam1',
  frameId: '1-0',
  seq: 1,
  processor: 'plate',
  captureUs: 1,
  doneUs: 2,
  durationMs: 3,
  consumer: 'w1',
  payload: { plate },
});

describe('latest-result hash', () => {
  const server = useRedisServer();

  it('only moves forward: an older result (a reclaimed batch, a slow API fill) never replaces a newer one', async () => {
    const prefix = `test-${randomUUID()}`;
    assert.equal(await setLatest(server.redis, prefix, result('1700000000000-5', 'A')), 1);
    assert.equal(await setLatest(server.redis, prefix, result('1700000000000-4', 'OLD')), 0);
    assert.equal(await setLatest(server.redis, prefix, result('999999999999-9', 'OLDER')), 0);
    assert.equal(await setLatest(server.redis, prefix, result('1700000000000-5', 'SAME')), 0);
    assert.equal(await setLatest(server.redis, prefix, result('1700000000001-0', 'NEW')), 1);
    assert.deepEqual(
      await getLatest(server.redis, prefix, 'cam1'),
      result('1700000000001-0', 'NEW'),
    );
  });
});
