import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { positiveInt } from '../../../src/cli/option-values.js';
import { entryIds, targetIds } from '../../../src/cli/dlq-commands.js';
import { ConfigError } from '../../../src/shared/errors.js';

const isConfigError = (err: unknown) =>
  err instanceof ConfigError && err.code === 'FRAMEPIPE_ERR_CONFIG';

describe('CLI option values of dlq and plates eval', () => {
  it('a positive-integer option takes whole numbers from 1 to its max', () => {
    const count = positiveInt('--count', 1000);
    assert.equal(count('1'), 1);
    assert.equal(count('1000'), 1000);
  });

  it('a positive-integer option refuses 0, negatives, fractions, words and the over-max as bad config', () => {
    const count = positiveInt('--count', 1000);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3', '0x10', ' 7', '1001']) {
      assert.throws(() => count(bad), isConfigError, bad);
    }
    assert.throws(() => positiveInt('--limit')('-1'), /--limit/);
  });

  it('--ids takes <ms>-<seq> entry ids, trimmed and de-duplicated', () => {
    assert.deepEqual(entryIds(' 1-0, 1700000000000-3,,1-0'), ['1-0', '1700000000000-3']);
  });

  it('--ids refuses malformed ids before they reach Redis', () => {
    for (const bad of ['garbage', '1', '1-', '-1', '1-1-1', '1-x', ',', '99999999999999999999-0']) {
      assert.throws(() => entryIds(bad), isConfigError, bad);
    }
  });

  it('redrive and purge need --ids or --all, and refuse both at once', () => {
    assert.deepEqual(targetIds({ ids: ['1-0'] }), ['1-0']);
    assert.equal(targetIds({ all: true }), undefined);
    assert.throws(() => targetIds({}), isConfigError);
    assert.throws(() => targetIds({ ids: ['1-0'], all: true }), isConfigError);
  });
});
