import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/shared/errors.js';
import { sourceKeys, sourceOfKey, sourcesKey } from '../../../src/shared/redis/keys.js';

/** Redis Cluster hashes only the part inside the first {...}. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('key names', () => {
  it("puts all of one source's keys in one Cluster hash slot", () => {
    const keys = sourceKeys('framepipe', 'cam1');
    assert.equal(keys.frames, 'framepipe:{cam1}:frames');
    assert.equal(keys.results, 'framepipe:{cam1}:results');
    assert.equal(keys.dlq, 'framepipe:{cam1}:dlq');
    for (const key of Object.values(keys) as string[]) {
      assert.equal(hashTag(key), 'cam1', key);
    }
  });

  it('keeps different sources in different tags, so Cluster can spread them', () => {
    assert.notEqual(hashTag(sourceKeys('p', 'a').frames), hashTag(sourceKeys('p', 'b').frames));
  });

  it('refuses source ids that would break the hash tag or the key layout', () => {
    for (const bad of ['', 'a}b', 'a{b', 'a:b', 'x'.repeat(65), 'with space']) {
      assert.throws(() => sourceKeys('p', bad), ConfigError, bad);
    }
  });

  it('parses the source back out of a key', () => {
    assert.equal(sourceOfKey('fp', 'fp:{cam-7}:frames'), 'cam-7');
    assert.equal(sourceOfKey('fp', 'other:{cam}:frames'), undefined);
    assert.equal(sourcesKey('fp'), 'fp:sources');
  });
});
