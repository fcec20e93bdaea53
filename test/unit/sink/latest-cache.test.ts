import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  latestFields,
  latestKey,
  parseLatest,
  type LatestResult,
} from '../../../src/sink/latest-cache.js';

describe('latest-result hash', () => {
  it('shares the source hash tag, so it lives in the slot of the source streams', () => {
    assert.equal(latestKey('fp', 'cam1'), 'fp:{cam1}:latest');
    assert.throws(() => latestKey('fp', 'bad}id'), { code: 'FRAMEPIPE_ERR_CONFIG' });
  });

  it('reads back what it wrote', () => {
    const r: LatestResult = {
      id: '1700000000001-0',
      source: 'cam1',
      frameId: '1700000000000-3',
      seq: 3,
      processor: 'plate',
      captureUs: 1_700_000_000_000_123,
      doneUs: 1_700_000_000_100_000,
      durationMs: 80.5,
      consumer: 'w1',
      payload: { plate: 'ABC123', confidence: 0.9 },
    };
    const fields = latestFields(r);
    const hash: Record<string, string> = { id: r.id };
    for (let i = 0; i < fields.length; i += 2) {
      hash[fields[i]!] = fields[i + 1]!;
    }
    assert.deepEqual(parseLatest(hash), r);
  });

  it('treats an empty or damaged hash as a miss', () => {
    assert.equal(parseLatest({}), undefined);
    assert.equal(
      parseLatest({ id: '1-0', source: 'a', frame: '1-0', processor: 'p', payload: '{' }),
      undefined,
    );
  });
});
